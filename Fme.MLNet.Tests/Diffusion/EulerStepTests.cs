using Fme.MLNet.Diffusion;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Diffusion;

/// <summary>ScaleModelInput and Step against the update written out here in float64.</summary>
public class EulerStepTests
{
    private static EulerDiscreteScheduler TwoStep(double sigmaMax, double sigmaMin, string prediction = "v_prediction")
    {
        var config = EulerDiscreteSchedulerConfig.StableVideoDiffusion with { SigmaMax = sigmaMax, SigmaMin = sigmaMin, PredictionType = prediction };
        var scheduler = new EulerDiscreteScheduler(config);
        scheduler.SetTimesteps(2); // sigmas [sigmaMax, sigmaMin, 0]
        return scheduler;
    }

    [Fact]
    public void VPredictionStepOnHandComputedValues()
    {
        // sigma 3 -> 1, output 2, sample 5: x0 = 2 * (-3 / sqrt(10)) + 5 / 10 = -1.3973666,
        // d = (5 - x0) / 3 = 2.1324555, prev = 5 + d * (1 - 3) = 0.7350889.
        var scheduler = TwoStep(3, 1);
        var sample = new[] { 5f };
        scheduler.Step([2f], 0, sample);
        Assert.Equal(0.7350889, sample[0], 1e-5);

        // Last step: next sigma 0, so the result is x0 = 2 * (-1 / sqrt(2)) + 5 / 2 = 1.0857864.
        sample[0] = 5f;
        scheduler.Step([2f], 1, sample);
        Assert.Equal(1.0857864, sample[0], 1e-5);
    }

    [Fact]
    public void EpsilonAndSamplePredictions()
    {
        // epsilon: x0 = x - sigma * out, so prev = x + out * (next - sigma) = 5 + 2 * (1 - 3) = 1.
        var epsilon = TwoStep(3, 1, "epsilon");
        var sample = new[] { 5f };
        epsilon.Step([2f], 0, sample);
        Assert.Equal(1.0, sample[0], 1e-5);

        // sample: x0 = out, d = (5 - 2) / 3 = 1, prev = 5 + 1 * (1 - 3) = 3.
        var direct = TwoStep(3, 1, "sample");
        sample[0] = 5f;
        direct.Step([2f], 0, sample);
        Assert.Equal(3.0, sample[0], 1e-5);
    }

    [Fact]
    public void SvdStepOverALatentMatchesTheFormula()
    {
        var rng = new TestRandom();
        var scheduler = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion);
        scheduler.SetTimesteps(25);
        var n = 2 * 3 * 4 * 8 * 12 + 5; // not a multiple of the vector width, to reach the scalar tail
        var output = rng.Normal(n);
        var sample = rng.Normal(n, 10f);
        foreach (var step in new[] { 0, 7, 24 })
        {
            double sigma = scheduler.Sigmas[step], next = scheduler.Sigmas[step + 1];
            var expected = new float[n];
            for (var i = 0; i < n; i++)
            {
                var x0 = output[i] * (-sigma / Math.Sqrt(sigma * sigma + 1)) + sample[i] / (sigma * sigma + 1);
                expected[i] = (float)(sample[i] + (sample[i] - x0) / sigma * (next - sigma));
            }
            var actual = new float[n];
            scheduler.Step(output, step, sample, actual);
            Compare.Close(actual, expected, 1e-5, $"step {step}, {rng}");
        }
    }

    [Fact]
    public void ScaleModelInputDividesBySqrtSigmaSquaredPlusOne()
    {
        var rng = new TestRandom();
        var scheduler = new EulerDiscreteScheduler(EulerDiscreteSchedulerConfig.StableVideoDiffusion);
        scheduler.SetTimesteps(25);
        var sample = rng.Normal(1003, 700f);
        foreach (var step in new[] { 0, 12, 24 })
        {
            double sigma = scheduler.Sigmas[step];
            var expected = sample.Select(x => (float)(x / Math.Sqrt(sigma * sigma + 1))).ToArray();
            var copy = (float[])sample.Clone();
            scheduler.ScaleModelInput(copy, step);
            Compare.Close(copy, expected, 1e-6, $"step {step}, {rng}");
        }
    }

    [Fact]
    public void MisuseIsRefused()
    {
        var scheduler = TwoStep(3, 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(new float[3], 2, new float[3]));
        Assert.Contains("[0, 1]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(new float[3], -1, new float[3]));
        var lengths = Assert.Throws<ArgumentException>(() => scheduler.Step(new float[3], 0, new float[4]));
        Assert.Equal("modelOutput", lengths.ParamName);
        var buffer = new float[8];
        var overlap = Assert.Throws<ArgumentException>(() => scheduler.Step(new float[4], 0, buffer.AsSpan(0, 4), buffer.AsSpan(2, 4)));
        Assert.Equal("prevSample", overlap.ParamName);
        Assert.Throws<ArgumentException>(() => scheduler.ScaleModelInput(new float[3], 0, new float[2]));
    }
}
