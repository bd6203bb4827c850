using Fme.MLNet.Models;
using Fme.MLNet.Rehash;

namespace Fme.MLNet.Pipelines;

/// <summary>
/// What to generate. Defaults are SVD's (docs/svd-algorithm.md): 1024 x 576, frames from the UNet config, 25 steps, guidance
/// linear from 1.0 to 3.0 over the frames, 7 fps, motion bucket 127, noise augmentation 0.02. Immutable; validated on
/// construction and again against the model before any work starts.
/// </summary>
public sealed record GenerationOptions
{
    private readonly int _width = 1024;
    private readonly int _height = 576;
    private readonly int? _numFrames;
    private readonly int _steps = 25;
    private readonly float _minGuidance = 1f;
    private readonly float _maxGuidance = 3f;
    private readonly int _fps = 7;
    private readonly int _motionBucketId = 127;
    private readonly float _noiseAugStrength = 0.02f;

    /// <summary>SVD's defaults.</summary>
    public static GenerationOptions Default { get; } = new();

    /// <summary>Frame width in pixels; a multiple of 64. Default 1024.</summary>
    public int Width { get => _width; init => _width = Positive(value, nameof(Width)); }

    /// <summary>Frame height in pixels; a multiple of 64. Default 576.</summary>
    public int Height { get => _height; init => _height = Positive(value, nameof(Height)); }

    /// <summary>
    /// Number of frames, 1 to <see cref="SvdUnetConfig.MaxNumFrames"/>; null takes the UNet config's <c>num_frames</c>
    /// (14 for SVD, 25 for SVD-XT).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is below 1 or above the limit.</exception>
    public int? NumFrames { get => _numFrames; init => _numFrames = value is null ? null : Frames(value.Value); }

    /// <summary>Denoising steps. Default 25.</summary>
    public int Steps { get => _steps; init => _steps = Positive(value, nameof(Steps)); }

    /// <summary>Guidance scale of the first frame. Default 1.0.</summary>
    public float MinGuidanceScale { get => _minGuidance; init => _minGuidance = NonNegative(value, nameof(MinGuidanceScale)); }

    /// <summary>Guidance scale of the last frame; guidance is off when it is 1 or less. Default 3.0.</summary>
    public float MaxGuidanceScale { get => _maxGuidance; init => _maxGuidance = NonNegative(value, nameof(MaxGuidanceScale)); }

    /// <summary>Frames per second of the video; the UNet is conditioned on fps - 1. Default 7.</summary>
    public int Fps { get => _fps; init => _fps = Positive(value, nameof(Fps)); }

    /// <summary>Motion bucket id the UNet is conditioned on (more motion when larger). Default 127.</summary>
    public int MotionBucketId { get => _motionBucketId; init => _motionBucketId = (int)NonNegative(value, nameof(MotionBucketId)); }

    /// <summary>Strength of the noise added to the conditioning image. Default 0.02.</summary>
    public float NoiseAugStrength { get => _noiseAugStrength; init => _noiseAugStrength = NonNegative(value, nameof(NoiseAugStrength)); }

    /// <summary>Seed of the Gaussian noise; the same seed gives the same frames. Null draws a random seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// Step Rehash: some steps reuse the UNet's deep features from the last full step and compute only its outermost
    /// levels (faster; the frames change). Null (the default) runs the whole UNet on every step.
    /// </summary>
    public StepRehashOptions? StepRehash { get; init; }

    private static int Frames(int value) =>
        value is >= 1 and <= SvdUnetConfig.MaxNumFrames ? value : throw new ArgumentOutOfRangeException(nameof(NumFrames), value,
            $"{nameof(NumFrames)} is {value}; expected 1 to {SvdUnetConfig.MaxNumFrames} ({nameof(SvdUnetConfig)}.{nameof(SvdUnetConfig.MaxNumFrames)}).");

    private static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");

    private static float NonNegative(float value, string name) =>
        value >= 0 && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number, 0 or more.");
}
