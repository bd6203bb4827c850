using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fme.MLNet.Diffusion;

/// <summary>
/// The settings of diffusers' <c>EulerDiscreteScheduler</c>, as written in a model folder's
/// <c>scheduler_config.json</c>. Property defaults are diffusers' constructor defaults; JSON names are
/// diffusers' field names, and fields this record does not model (<c>_class_name</c>, <c>clip_sample</c>, ...)
/// are ignored. Values are checked when a scheduler is built from the record.
/// </summary>
public sealed record EulerDiscreteSchedulerConfig
{
    /// <summary>Number of training diffusion steps (<c>num_train_timesteps</c>).</summary>
    [JsonPropertyName("num_train_timesteps")]
    public int NumTrainTimesteps { get; init; } = 1000;

    /// <summary>First training beta (<c>beta_start</c>).</summary>
    [JsonPropertyName("beta_start")]
    public double BetaStart { get; init; } = 0.0001;

    /// <summary>Last training beta (<c>beta_end</c>).</summary>
    [JsonPropertyName("beta_end")]
    public double BetaEnd { get; init; } = 0.02;

    /// <summary>Training beta schedule (<c>beta_schedule</c>): linear, scaled_linear or squaredcos_cap_v2.</summary>
    [JsonPropertyName("beta_schedule")]
    public string BetaSchedule { get; init; } = "linear";

    /// <summary>Explicit training betas (<c>trained_betas</c>); when given they replace the beta schedule.</summary>
    [JsonPropertyName("trained_betas")]
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>What the network predicts (<c>prediction_type</c>): epsilon, v_prediction or sample.</summary>
    [JsonPropertyName("prediction_type")]
    public string PredictionType { get; init; } = "epsilon";

    /// <summary>How inference sigmas are read off the training schedule (<c>interpolation_type</c>); only linear is supported.</summary>
    [JsonPropertyName("interpolation_type")]
    public string InterpolationType { get; init; } = "linear";

    /// <summary>Use the Karras et al. (2022) sigma ramp with rho = 7 (<c>use_karras_sigmas</c>).</summary>
    [JsonPropertyName("use_karras_sigmas")]
    public bool? UseKarrasSigmas { get; init; } = false;

    /// <summary>Use sigmas evenly spaced in log space (<c>use_exponential_sigmas</c>).</summary>
    [JsonPropertyName("use_exponential_sigmas")]
    public bool? UseExponentialSigmas { get; init; } = false;

    /// <summary>Use beta-distribution sigmas (<c>use_beta_sigmas</c>); not supported.</summary>
    [JsonPropertyName("use_beta_sigmas")]
    public bool? UseBetaSigmas { get; init; } = false;

    /// <summary>Smallest sigma of the Karras / exponential ramp (<c>sigma_min</c>); null takes it from the training schedule.</summary>
    [JsonPropertyName("sigma_min")]
    public double? SigmaMin { get; init; }

    /// <summary>Largest sigma of the Karras / exponential ramp (<c>sigma_max</c>); null takes it from the training schedule.</summary>
    [JsonPropertyName("sigma_max")]
    public double? SigmaMax { get; init; }

    /// <summary>How inference timesteps are spread over training ones (<c>timestep_spacing</c>): linspace, leading or trailing.</summary>
    [JsonPropertyName("timestep_spacing")]
    public string TimestepSpacing { get; init; } = "linspace";

    /// <summary>Discrete training timesteps or continuous ones, 0.25 ln(sigma) (<c>timestep_type</c>).</summary>
    [JsonPropertyName("timestep_type")]
    public string TimestepType { get; init; } = "discrete";

    /// <summary>Offset added to "leading" timesteps (<c>steps_offset</c>).</summary>
    [JsonPropertyName("steps_offset")]
    public int StepsOffset { get; init; }

    /// <summary>Rescale betas to zero terminal SNR (<c>rescale_betas_zero_snr</c>, Lin et al. 2023).</summary>
    [JsonPropertyName("rescale_betas_zero_snr")]
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>The sigma appended after the last step (<c>final_sigmas_type</c>): zero or sigma_min.</summary>
    [JsonPropertyName("final_sigmas_type")]
    public string FinalSigmasType { get; init; } = "zero";

    /// <summary>
    /// The configuration shipped with <c>stabilityai/stable-video-diffusion-img2vid(-xt)</c>: scaled_linear betas
    /// 0.00085..0.012, v-prediction, Karras sigmas from 700 down to 0.002, leading spacing, continuous timesteps.
    /// </summary>
    public static EulerDiscreteSchedulerConfig StableVideoDiffusion { get; } = new()
    {
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        BetaSchedule = "scaled_linear",
        PredictionType = "v_prediction",
        UseKarrasSigmas = true,
        SigmaMin = 0.002,
        SigmaMax = 700.0,
        StepsOffset = 1,
        TimestepSpacing = "leading",
        TimestepType = "continuous",
    };

    /// <summary>Reads a configuration from JSON text.</summary>
    /// <param name="json">The JSON object.</param>
    /// <param name="source">Names the text in error messages (a file path, or a description).</param>
    /// <exception cref="SchedulerConfigException">The text is not a JSON object of the expected field types.</exception>
    public static EulerDiscreteSchedulerConfig FromJson(string json, string source = "scheduler config")
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<EulerDiscreteSchedulerConfig>(json)
                ?? throw new SchedulerConfigException(source, null, "expected a JSON object, found null");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : null;
            throw new SchedulerConfigException(source, field, $"not a valid scheduler configuration ({e.Message})", e);
        }
    }

    /// <summary>Reads a configuration from a <c>scheduler_config.json</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SchedulerConfigException">The file is not a valid configuration.</exception>
    public static EulerDiscreteSchedulerConfig FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Scheduler configuration '{path}' was not found.", path);
        }
        return FromJson(File.ReadAllText(path), path);
    }
}
