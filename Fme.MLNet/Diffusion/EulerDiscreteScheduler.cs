using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fme.MLNet.Diffusion;

/// <summary>
/// The Euler sampler of Karras et al. 2022 ("Elucidating the Design Space of Diffusion-Based Generative Models",
/// algorithm 2 with s_churn = 0), configured as diffusers' <c>EulerDiscreteScheduler</c>. It knows nothing of
/// networks: call <see cref="SetTimesteps"/>, scale the latents by <see cref="InitNoiseSigma"/>, then for each
/// step index i feed the network <see cref="ScaleModelInput(ReadOnlySpan{float}, int, Span{float})"/> at
/// <see cref="Timesteps"/>[i] and advance with <see cref="Step(ReadOnlySpan{float}, int, ReadOnlySpan{float}, Span{float})"/>.
/// </summary>
/// <remarks>
/// Step state is explicit: every call names its step index, and nothing is remembered between calls, so a skipped
/// or repeated call cannot shift later steps. The stochastic churn of the paper (s_churn &gt; 0) is not offered.
/// Element-wise arithmetic is float32 in the same operation order as diffusers; an instance is safe for concurrent
/// reads once <see cref="SetTimesteps"/> has returned.
/// </remarks>
public sealed class EulerDiscreteScheduler
{
    private readonly float[] _alphasCumprod;
    private Schedule? _schedule; // one object, so a reader never sees sigmas of one call with timesteps of another

    /// <summary>Builds a scheduler from a configuration, checking every field once.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="source">Names the configuration in error messages (for example its file path).</param>
    /// <exception cref="SchedulerConfigException">A field holds a value this scheduler does not support.</exception>
    public EulerDiscreteScheduler(EulerDiscreteSchedulerConfig config, string source = "scheduler config")
    {
        ArgumentNullException.ThrowIfNull(config);
        EulerConfigValidation.Validate(config, source);
        Config = config;
        _alphasCumprod = EulerSigmaSchedule.AlphasCumprod(config);
    }

    /// <summary>Builds a scheduler from a diffusers <c>scheduler_config.json</c>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SchedulerConfigException">The file is not valid JSON, or holds an unsupported value.</exception>
    public static EulerDiscreteScheduler FromConfigFile(string path) =>
        new(EulerDiscreteSchedulerConfig.FromFile(path), path);

    /// <summary>The configuration this scheduler was built from.</summary>
    public EulerDiscreteSchedulerConfig Config { get; }

    /// <summary>Model evaluations per step: 1 for Euler.</summary>
    public int Order => 1;

    /// <summary>Number of denoising steps: <see cref="Timesteps"/>.Count.</summary>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    public int StepCount => Ready().Timesteps.Length;

    /// <summary>The noise levels: one per step, then the final sigma (0 unless <c>final_sigmas_type</c> is sigma_min).</summary>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    public IReadOnlyList<float> Sigmas => Array.AsReadOnly(Ready().Sigmas);

    /// <summary>
    /// The network's timestep input for each step: 0.25 ln(sigma) for continuous v-prediction, otherwise
    /// (fractional) training timesteps.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    public IReadOnlyList<float> Timesteps => Array.AsReadOnly(Ready().Timesteps);

    /// <summary>
    /// Standard deviation of the initial noise: the largest sigma for "linspace" and "trailing" spacing,
    /// sqrt(sigma_max^2 + 1) for "leading" (as diffusers defines it), in float32.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="SetTimesteps"/> has not been called.</exception>
    public float InitNoiseSigma
    {
        get
        {
            var max = Ready().Sigmas.Max();
            return Config.TimestepSpacing == "leading" ? MathF.Sqrt(max * max + 1f) : max;
        }
    }

    /// <summary>Computes the sigmas and timesteps for a number of inference steps, replacing any earlier schedule.</summary>
    /// <param name="numInferenceSteps">Number of denoising steps, at least 1.</param>
    public void SetTimesteps(int numInferenceSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numInferenceSteps, 1);
        if (Config.TimestepSpacing == "leading" && numInferenceSteps > Config.NumTrainTimesteps)
        {
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps,
                $"\"leading\" spacing allows at most num_train_timesteps = {Config.NumTrainTimesteps} steps.");
        }
        var (sigmas, timesteps) = EulerSigmaSchedule.Build(Config, _alphasCumprod, numInferenceSteps);
        _schedule = new Schedule(sigmas, timesteps);
    }

    /// <summary>The noise level at a step: <see cref="Sigmas"/>[stepIndex].</summary>
    /// <param name="stepIndex">0-based step index, below <see cref="StepCount"/>.</param>
    public float SigmaAt(int stepIndex)
    {
        var schedule = Ready();
        return schedule.Sigmas[CheckIndex(stepIndex, schedule)];
    }

    /// <summary>
    /// Scales latents for the network input at a step: x / sqrt(sigma^2 + 1). <paramref name="destination"/> may be
    /// <paramref name="sample"/> itself (same memory), but must not overlap it otherwise.
    /// </summary>
    /// <param name="sample">The unscaled latents.</param>
    /// <param name="stepIndex">0-based step index, below <see cref="StepCount"/>.</param>
    /// <param name="destination">Receives the scaled latents; same length as <paramref name="sample"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex, Span<float> destination)
    {
        var sigma = SigmaAt(stepIndex);
        CheckBuffers(sample, destination, nameof(destination));
        var divisor = MathF.Sqrt(sigma * sigma + 1f);
        var d = new Vector<float>(divisor);
        var i = 0;
        for (; i <= sample.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            (new Vector<float>(sample[i..]) / d).CopyTo(destination[i..]);
        }
        for (; i < sample.Length; i++)
        {
            destination[i] = sample[i] / divisor;
        }
    }

    /// <summary>In-place form of <see cref="ScaleModelInput(ReadOnlySpan{float}, int, Span{float})"/>.</summary>
    /// <param name="sample">The latents, scaled in place.</param>
    /// <param name="stepIndex">0-based step index, below <see cref="StepCount"/>.</param>
    public void ScaleModelInput(Span<float> sample, int stepIndex) => ScaleModelInput(sample, stepIndex, sample);

    /// <summary>
    /// One Euler step from sigma_i to sigma_(i+1): x0 from the model output by the prediction type,
    /// d = (x - x0) / sigma, x_next = x + d (sigma_(i+1) - sigma). <paramref name="prevSample"/> may be
    /// <paramref name="sample"/> itself (same memory), but must not overlap it otherwise.
    /// </summary>
    /// <param name="modelOutput">The (guided) network output for the scaled input of this step.</param>
    /// <param name="stepIndex">0-based step index, below <see cref="StepCount"/>.</param>
    /// <param name="sample">The unscaled latents at this step.</param>
    /// <param name="prevSample">Receives the latents for the next step.</param>
    public void Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, Span<float> prevSample)
    {
        var schedule = Ready();
        var sigmas = schedule.Sigmas;
        var sigma = sigmas[CheckIndex(stepIndex, schedule)];
        if (modelOutput.Length != sample.Length)
        {
            throw new ArgumentException(
                $"modelOutput has {modelOutput.Length} values but sample has {sample.Length}; they must match.", nameof(modelOutput));
        }
        CheckBuffers(sample, prevSample, nameof(prevSample));
        var c = new EulerStepKernel.Coefficients(sigma, sigmas[stepIndex + 1]);
        switch (Config.PredictionType)
        {
            case "v_prediction":
                EulerStepKernel.Run<EulerStepKernel.VPrediction>(modelOutput, sample, prevSample, c);
                break;
            case "epsilon":
                EulerStepKernel.Run<EulerStepKernel.Epsilon>(modelOutput, sample, prevSample, c);
                break;
            default:
                EulerStepKernel.Run<EulerStepKernel.Sample>(modelOutput, sample, prevSample, c);
                break;
        }
    }

    /// <summary>In-place form of <see cref="Step(ReadOnlySpan{float}, int, ReadOnlySpan{float}, Span{float})"/>.</summary>
    /// <param name="modelOutput">The (guided) network output for the scaled input of this step.</param>
    /// <param name="stepIndex">0-based step index, below <see cref="StepCount"/>.</param>
    /// <param name="sample">The unscaled latents, advanced in place to the next step.</param>
    public void Step(ReadOnlySpan<float> modelOutput, int stepIndex, Span<float> sample) =>
        Step(modelOutput, stepIndex, sample, sample);

    private Schedule Ready() =>
        _schedule
            ?? throw new InvalidOperationException("Call SetTimesteps(numInferenceSteps) before reading the schedule or stepping.");

    private static int CheckIndex(int stepIndex, Schedule schedule)
    {
        var count = schedule.Timesteps.Length;
        if ((uint)stepIndex >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(stepIndex), stepIndex,
                $"Step index must be in [0, {count - 1}] for the {count}-step schedule set by SetTimesteps.");
        }
        return stepIndex;
    }

    private static void CheckBuffers(ReadOnlySpan<float> source, ReadOnlySpan<float> destination, string name)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"{name} has {destination.Length} values; expected {source.Length} like the sample.", name);
        }
        if (source.Overlaps(destination, out var offset) && offset != 0)
        {
            throw new ArgumentException($"{name} overlaps the sample at an offset of {offset} values; use the same memory or separate memory.", name);
        }
    }

    private sealed record Schedule(float[] Sigmas, float[] Timesteps);
}
