using Fme.MLNet.Diffusion;

namespace Fme.MLNet.Tests.Diffusion;

/// <summary>The sigmas, timesteps and initial noise scale, against formulas written out here in float64.</summary>
public class EulerScheduleTests
{
    private static EulerDiscreteScheduler Svd(int steps)
    {
        var scheduler = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion);
        scheduler.SetTimesteps(steps);
        return scheduler;
    }

    // Karras et al. 2022, eq. 5, rho = 7, with NumPy's linspace ramp (i * 1/(n-1), last value exactly 1).
    private static double[] KarrasReference(int n, double min = 0.002, double max = 700.0)
    {
        var ramp = Enumerable.Range(0, n).Select(i => n == 1 ? 0.0 : i == n - 1 ? 1.0 : i * (1.0 / (n - 1))).ToArray();
        var a = Math.Pow(max, 1 / 7.0);
        var b = Math.Pow(min, 1 / 7.0);
        return ramp.Select(r => Math.Pow(a + r * (b - a), 7)).ToArray();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(25)]
    public void SvdSigmasAndTimestepsFollowTheKarrasFormula(int steps)
    {
        var scheduler = Svd(steps);
        var expected = KarrasReference(steps);
        Assert.Equal(steps + 1, scheduler.Sigmas.Count);
        Assert.Equal(steps, scheduler.Timesteps.Count);
        Assert.Equal(steps, scheduler.StepCount);
        for (var i = 0; i < steps; i++)
        {
            var sigma = (float)expected[i];
            Assert.True(Math.Abs(scheduler.Sigmas[i] - sigma) <= 1e-6 * sigma, $"sigma {i}: {scheduler.Sigmas[i]} vs {sigma}");
            var t = 0.25 * Math.Log(sigma);
            Assert.True(Math.Abs(scheduler.Timesteps[i] - t) <= 1e-6, $"timestep {i}: {scheduler.Timesteps[i]} vs {t}");
        }
        Assert.Equal(0f, scheduler.Sigmas[^1]);
    }

    [Fact]
    public void SvdSpotChecks()
    {
        var two = Svd(2).Sigmas;
        Assert.Equal([700f, 0.002f, 0f], two);
        var three = Svd(3).Sigmas;
        Assert.Equal(700f, three[0]);
        Assert.InRange(three[1], 15.585f, 15.595f);
        Assert.Equal(0.002f, three[2]);
        Assert.Equal(0f, three[3]);
        Assert.Equal(0.25f * MathF.Log(700f), Svd(2).Timesteps[0]);
    }

    [Fact]
    public void InitNoiseSigmaFollowsTheSpacing()
    {
        var svd = Svd(25).InitNoiseSigma;
        Assert.Equal(MathF.Sqrt(490001f), svd);
        Assert.InRange(svd, 700.000714 - 6.2e-5, 700.000714 + 6.2e-5); // within one float32 step of sqrt(700^2 + 1)

        foreach (var spacing in new[] { "linspace", "trailing" })
        {
            var s = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion with { TimestepSpacing = spacing });
            s.SetTimesteps(25);
            Assert.Equal(700f, s.InitNoiseSigma);
        }
    }

    [Fact]
    public void ScheduleIsRequiredBeforeUse()
    {
        var scheduler = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion);
        var e = Assert.Throws<InvalidOperationException>(() => scheduler.Sigmas);
        Assert.Contains("SetTimesteps", e.Message);
        Assert.Throws<InvalidOperationException>(() => scheduler.InitNoiseSigma);
        Assert.Throws<InvalidOperationException>(() => scheduler.Step(new float[4], 0, new float[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(0));
    }

    // Training schedule written out in float64: betas, alphas_cumprod, sigmas = sqrt((1 - a) / a). The scheduler works
    // in float32 as diffusers does, and 1 - a loses digits for a near 1, hence the 1e-4 relative tolerance below.
    private static double[] TrainingSigmas(double start, double end, bool scaled, int n = 1000)
    {
        var sigmas = new double[n];
        var product = 1.0;
        for (var i = 0; i < n; i++)
        {
            var beta = scaled
                ? Math.Pow(Math.Sqrt(start) + i * (Math.Sqrt(end) - Math.Sqrt(start)) / (n - 1), 2)
                : start + i * (end - start) / (n - 1);
            product *= 1 - beta;
            sigmas[i] = Math.Sqrt((1 - product) / product);
        }
        return sigmas;
    }

    private static double Interp(double t, double[] values)
    {
        var j = Math.Min((int)Math.Floor(t), values.Length - 2);
        return values[j] + (t - j) * (values[j + 1] - values[j]);
    }

    [Fact]
    public void DefaultConfigInterpolatesTheTrainingSchedule()
    {
        // diffusers' defaults: linear betas 1e-4..0.02, epsilon, linspace spacing, discrete timesteps.
        var scheduler = new EulerDiscreteScheduler(new EulerDiscreteSchedulerConfig());
        scheduler.SetTimesteps(10);
        var train = TrainingSigmas(0.0001, 0.02, scaled: false);
        for (var i = 0; i < 10; i++)
        {
            var t = 999.0 - i * 999.0 / 9;
            Assert.True(Math.Abs(scheduler.Timesteps[i] - t) < 1e-3, $"timestep {i}: {scheduler.Timesteps[i]} vs {t}");
            var sigma = Interp(t, train);
            Assert.True(Math.Abs(scheduler.Sigmas[i] - sigma) <= 1e-4 * sigma, $"sigma {i}: {scheduler.Sigmas[i]} vs {sigma}");
        }
        Assert.Equal(0f, scheduler.Sigmas[^1]);
        Assert.Equal(scheduler.Sigmas[0], scheduler.InitNoiseSigma);
    }

    [Theory]
    [InlineData("leading", 25, 1, new[] { 961f, 921f, 881f })]
    [InlineData("leading", 4, 0, new[] { 750f, 500f, 250f, 0f })]
    [InlineData("trailing", 10, 0, new[] { 999f, 899f, 799f })]
    [InlineData("linspace", 4, 0, new[] { 999f, 666f, 333f, 0f })]
    public void TimestepSpacings(string spacing, int steps, int offset, float[] firstTimesteps)
    {
        var config = new EulerDiscreteSchedulerConfig
        {
            BetaStart = 0.00085, BetaEnd = 0.012, BetaSchedule = "scaled_linear", TimestepSpacing = spacing, StepsOffset = offset,
        };
        var scheduler = new EulerDiscreteScheduler(config);
        scheduler.SetTimesteps(steps);
        Assert.Equal(firstTimesteps, scheduler.Timesteps.Take(firstTimesteps.Length));
        var train = TrainingSigmas(0.00085, 0.012, scaled: true);
        for (var i = 0; i < steps; i++)
        {
            var sigma = Interp(scheduler.Timesteps[i], train);
            Assert.True(Math.Abs(scheduler.Sigmas[i] - sigma) <= 1e-4 * sigma, $"sigma {i}: {scheduler.Sigmas[i]} vs {sigma}");
        }
    }

    [Fact]
    public void FinalSigmaCanBeTheSmallestTrainingSigma()
    {
        var scheduler = new EulerDiscreteScheduler(new EulerDiscreteSchedulerConfig { FinalSigmasType = "sigma_min" });
        scheduler.SetTimesteps(5);
        // sqrt((1 - a0) / a0) with a0 = 1 - beta_start, in float32 as diffusers computes it (1 - a0 loses digits there).
        var alpha0 = 1f - 0.0001f;
        Assert.Equal(MathF.Sqrt((1f - alpha0) / alpha0), scheduler.Sigmas[^1]);
        var exact = Math.Sqrt(0.0001 / (1 - 0.0001));
        Assert.True(Math.Abs(scheduler.Sigmas[^1] - exact) < 2e-4 * exact, $"{scheduler.Sigmas[^1]} vs {exact}");
    }

    [Fact]
    public void KarrasWithDiscreteTimestepsMapsSigmasBackToTrainingTimesteps()
    {
        var config = EulerDiscreteSchedulerConfig.StableVideoDiffusion with { TimestepType = "discrete", SigmaMax = null, SigmaMin = null };
        var scheduler = new EulerDiscreteScheduler(config);
        scheduler.SetTimesteps(8);
        var train = TrainingSigmas(0.00085, 0.012, scaled: true);
        // Leading spacing with 8 steps and offset 1: timesteps 876, 751, ..., 1, so the ramp runs from sigma(876) to sigma(1).
        var karras = KarrasReference(8, min: Interp(1, train), max: Interp(876, train));
        for (var i = 0; i < 8; i++)
        {
            Assert.True(Math.Abs(scheduler.Sigmas[i] - karras[i]) <= 1e-4 * karras[i], $"sigma {i}: {scheduler.Sigmas[i]} vs {karras[i]}");
            // The timestep is where the log-linear interpolation of the training sigmas meets this sigma.
            var t = scheduler.Timesteps[i];
            var j = (int)Math.Floor(t);
            var w = t - j;
            var logSigma = (1 - w) * Math.Log(train[j]) + w * Math.Log(train[Math.Min(j + 1, 999)]);
            Assert.True(Math.Abs(logSigma - Math.Log(karras[i])) < 1e-4, $"timestep {i}: {t}");
        }
    }
}
