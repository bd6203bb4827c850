namespace Fme.MLNet.Diffusion;

/// <summary>
/// The numbers behind <see cref="EulerDiscreteScheduler"/>: the training noise schedule and the inference
/// sigmas and timesteps derived from it, with float32 / float64 precision where diffusers uses each.
/// </summary>
internal static class EulerSigmaSchedule
{
    private const double Rho = 7.0; // Karras et al. 2022, eq. 5

    /// <summary>Cumulative products of (1 - beta) over the training steps, float32.</summary>
    public static float[] AlphasCumprod(EulerDiscreteSchedulerConfig c)
    {
        var betas = Betas(c);
        if (c.RescaleBetasZeroSnr)
        {
            betas = RescaleZeroTerminalSnr(betas);
        }
        var cumprod = CumulativeProduct(betas.Select(b => 1f - b).ToArray());
        if (c.RescaleBetasZeroSnr)
        {
            // A zero last value would make its sigma infinite; diffusers pins it to 2^-24.
            cumprod[^1] = 1f / (1 << 24);
        }
        return cumprod;
    }

    /// <summary>Training sigmas sqrt((1 - a) / a), float32, ascending with the training timestep.</summary>
    public static float[] TrainingSigmas(float[] alphasCumprod) =>
        alphasCumprod.Select(a => MathF.Sqrt((1f - a) / a)).ToArray();

    /// <summary>Builds the inference schedule: sigmas (float32, with the final sigma appended) and timesteps.</summary>
    public static (float[] Sigmas, float[] Timesteps) Build(EulerDiscreteSchedulerConfig c, float[] alphasCumprod, int steps)
    {
        var trainSigmas = TrainingSigmas(alphasCumprod);
        var timesteps = SpacedTimesteps(c, steps);
        var sigmas = timesteps.Select(t => Interpolate(t, trainSigmas)).ToArray();
        var sigmaMin = c.SigmaMin ?? sigmas[^1];
        var sigmaMax = c.SigmaMax ?? sigmas[0];
        if (c.UseKarrasSigmas == true || c.UseExponentialSigmas == true)
        {
            sigmas = c.UseKarrasSigmas == true ? KarrasSigmas(sigmaMin, sigmaMax, steps) : ExponentialSigmas(sigmaMin, sigmaMax, steps);
            var logSigmas = trainSigmas.Select(s => MathF.Log(s)).ToArray();
            timesteps = sigmas.Select(s => SigmaToTimestep(s, logSigmas)).ToArray();
        }
        var final = c.FinalSigmasType == "sigma_min" ? MathF.Sqrt((1f - alphasCumprod[0]) / alphasCumprod[0]) : 0f;
        var sigmas32 = new float[sigmas.Length + 1];
        for (var i = 0; i < sigmas.Length; i++)
        {
            sigmas32[i] = (float)sigmas[i];
        }
        sigmas32[^1] = final;
        var continuous = c.TimestepType == "continuous" && c.PredictionType == "v_prediction";
        var timesteps32 = continuous
            ? sigmas32[..^1].Select(s => 0.25f * MathF.Log(s)).ToArray()
            : timesteps.Select(t => (float)t).ToArray();
        return (sigmas32, timesteps32);
    }

    /// <summary>sigma_i = (sigma_max^(1/rho) + ramp_i (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho in float64.</summary>
    public static double[] KarrasSigmas(double sigmaMin, double sigmaMax, int steps)
    {
        var minInvRho = Math.Pow(sigmaMin, 1 / Rho);
        var maxInvRho = Math.Pow(sigmaMax, 1 / Rho);
        return Linspace.Float64(0, 1, steps).Select(r => Math.Pow(maxInvRho + r * (minInvRho - maxInvRho), Rho)).ToArray();
    }

    private static double[] ExponentialSigmas(double sigmaMin, double sigmaMax, int steps) =>
        Linspace.Float64(Math.Log(sigmaMax), Math.Log(sigmaMin), steps).Select(Math.Exp).ToArray();

    private static float[] Betas(EulerDiscreteSchedulerConfig c)
    {
        var n = c.NumTrainTimesteps;
        if (c.TrainedBetas is { } trained)
        {
            return trained.Select(b => (float)b).ToArray();
        }
        switch (c.BetaSchedule)
        {
            case "linear":
                return Linspace.Float32((float)c.BetaStart, (float)c.BetaEnd, n);
            case "scaled_linear":
                return Linspace.Float32((float)Math.Sqrt(c.BetaStart), (float)Math.Sqrt(c.BetaEnd), n).Select(b => b * b).ToArray();
            default:
                // squaredcos_cap_v2 (Nichol & Dhariwal 2021): betas from the cosine alpha-bar, capped at 0.999.
                static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
                return Enumerable.Range(0, n)
                    .Select(i => (float)Math.Min(1 - AlphaBar((i + 1.0) / n) / AlphaBar((double)i / n), 0.999))
                    .ToArray();
        }
    }

    // Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed", algorithm 1, in float32.
    private static float[] RescaleZeroTerminalSnr(float[] betas)
    {
        var sqrtBar = CumulativeProduct(betas.Select(b => 1f - b).ToArray()).Select(MathF.Sqrt).ToArray();
        float first = sqrtBar[0], last = sqrtBar[^1];
        var scale = first / (first - last);
        var alphasBar = sqrtBar.Select(s => (s - last) * scale).Select(s => s * s).ToArray();
        var rescaled = new float[betas.Length];
        rescaled[0] = 1f - alphasBar[0];
        for (var i = 1; i < betas.Length; i++)
        {
            rescaled[i] = 1f - alphasBar[i] / alphasBar[i - 1];
        }
        return rescaled;
    }

    // PyTorch's CPU cumprod accumulates float32 input in float64.
    private static float[] CumulativeProduct(float[] values)
    {
        var result = new float[values.Length];
        var product = 1.0;
        for (var i = 0; i < values.Length; i++)
        {
            product *= values[i];
            result[i] = (float)product;
        }
        return result;
    }

    private static double[] SpacedTimesteps(EulerDiscreteSchedulerConfig c, int steps)
    {
        var train = c.NumTrainTimesteps;
        switch (c.TimestepSpacing)
        {
            case "linspace":
                return Linspace.Float64(0, train - 1, steps).Reverse().Select(t => (double)(float)t).ToArray();
            case "leading":
                var ratio = train / steps;
                return Enumerable.Range(0, steps).Reverse().Select(i => (double)((float)(i * ratio) + c.StepsOffset)).ToArray();
            default:
                // trailing: NumPy's arange(train, 0, -train / steps), rounded half to even, minus one. Its length is
                // ceil(steps * (1 + rounding)), which for some step counts is steps + 1, as in diffusers.
                var step = (double)train / steps;
                var count = (int)Math.Ceiling(-train / -step);
                return Enumerable.Range(0, count).Select(k => (double)(float)Math.Round(train + k * -step, MidpointRounding.ToEven) - 1).ToArray();
        }
    }

    // NumPy's interp over the integer grid 0..n-1, clamped at both ends.
    private static double Interpolate(double t, float[] values)
    {
        if (t <= 0)
        {
            return values[0];
        }
        if (t >= values.Length - 1)
        {
            return values[^1];
        }
        var j = (int)Math.Floor(t);
        if (t == j)
        {
            return values[j];
        }
        var slope = (double)values[j + 1] - values[j];
        return slope * (t - j) + values[j];
    }

    // Fractional training timestep whose log-sigma matches, by linear interpolation in log space.
    private static double SigmaToTimestep(double sigma, float[] logSigmas)
    {
        var logSigma = Math.Log(Math.Max(sigma, 1e-10));
        var low = 0;
        for (var i = 0; i < logSigmas.Length; i++)
        {
            if (logSigma - logSigmas[i] >= 0)
            {
                low = i;
            }
        }
        low = Math.Min(low, logSigmas.Length - 2);
        double lo = logSigmas[low], hi = logSigmas[low + 1];
        var w = Math.Clamp((lo - logSigma) / (lo - hi), 0, 1);
        return (1 - w) * low + w * (low + 1);
    }
}
