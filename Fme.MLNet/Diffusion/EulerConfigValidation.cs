using System.Globalization;

namespace Fme.MLNet.Diffusion;

/// <summary>Checks an <see cref="EulerDiscreteSchedulerConfig"/> once, when a scheduler is built from it.</summary>
internal static class EulerConfigValidation
{
    internal static readonly string[] BetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2"];
    internal static readonly string[] PredictionTypes = ["epsilon", "v_prediction", "sample", "original_sample"];
    internal static readonly string[] Spacings = ["linspace", "leading", "trailing"];
    internal static readonly string[] TimestepTypes = ["discrete", "continuous"];
    internal static readonly string[] FinalSigmasTypes = ["zero", "sigma_min"];

    public static void Validate(EulerDiscreteSchedulerConfig c, string source)
    {
        if (c.NumTrainTimesteps < 2)
        {
            throw Error(source, "num_train_timesteps", c.NumTrainTimesteps, "must be at least 2");
        }
        if (c.TrainedBetas is { } betas)
        {
            if (betas.Count != c.NumTrainTimesteps)
            {
                throw new SchedulerConfigException(source, "trained_betas",
                    $"holds {betas.Count} values; it must hold num_train_timesteps = {c.NumTrainTimesteps}.");
            }
            for (var i = 0; i < betas.Count; i++)
            {
                if (!(betas[i] > 0 && betas[i] < 1))
                {
                    throw new SchedulerConfigException(source, "trained_betas",
                        $"value {Format(betas[i])} at index {i} is outside (0, 1), where every beta must lie.");
                }
            }
        }
        else
        {
            OneOf(source, "beta_schedule", c.BetaSchedule, BetaSchedules);
            if (c.BetaSchedule != "squaredcos_cap_v2" && !(c.BetaStart > 0 && c.BetaStart <= c.BetaEnd && c.BetaEnd < 1))
            {
                throw Error(source, "beta_start", c.BetaStart,
                    $"beta_start and beta_end must satisfy 0 < beta_start <= beta_end < 1 (beta_end is {Format(c.BetaEnd)})");
            }
        }
        OneOf(source, "prediction_type", c.PredictionType, PredictionTypes);
        OneOf(source, "interpolation_type", c.InterpolationType, ["linear"],
            " ('log_linear' is not supported: diffusers builds num_inference_steps + 1 sigmas for it)");
        if (c.UseBetaSigmas == true)
        {
            throw Error(source, "use_beta_sigmas", true, "is not supported; use use_karras_sigmas or use_exponential_sigmas");
        }
        if (c.UseKarrasSigmas == true && c.UseExponentialSigmas == true)
        {
            throw Error(source, "use_exponential_sigmas", true, "cannot be combined with use_karras_sigmas = true");
        }
        if (c.SigmaMin is { } min && !(min > 0 && double.IsFinite(min)))
        {
            throw Error(source, "sigma_min", min, "must be a positive finite number");
        }
        if (c.SigmaMax is { } max && !(max > 0 && double.IsFinite(max) && max > (c.SigmaMin ?? 0)))
        {
            throw Error(source, "sigma_max", max, $"must be finite and greater than sigma_min ({Format(c.SigmaMin ?? 0)})");
        }
        OneOf(source, "timestep_spacing", c.TimestepSpacing, Spacings);
        OneOf(source, "timestep_type", c.TimestepType, TimestepTypes);
        OneOf(source, "final_sigmas_type", c.FinalSigmasType, FinalSigmasTypes);
        if (c.StepsOffset < 0)
        {
            throw Error(source, "steps_offset", c.StepsOffset, "must not be negative");
        }
    }

    private static void OneOf(string source, string field, string? value, string[] supported, string note = "")
    {
        if (value is null || !supported.Contains(value, StringComparer.Ordinal))
        {
            throw Error(source, field, value,
                $"is not supported; supported: {string.Join(", ", supported.Select(s => $"'{s}'"))}{note}");
        }
    }

    private static SchedulerConfigException Error(string source, string field, object? value, string rule)
    {
        var shown = value switch
        {
            null => "null",
            string s => $"'{s}'",
            bool b => b ? "true" : "false",
            double d => Format(d),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
        return new SchedulerConfigException(source, field, $"value {shown} {rule}.");
    }

    private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
