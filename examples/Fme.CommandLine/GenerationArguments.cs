using System.CommandLine;
using System.Globalization;
using Fme.MLNet.Pipelines;

namespace Fme.CommandLine;

/// <summary>
/// Every <see cref="GenerationOptions"/> setting as a command-line option, defined once for <c>fme generate</c> and
/// <c>fme-batch</c>: SVD's defaults and ranges, and the smaller defaults used with the built-in tiny model set.
/// </summary>
public sealed class GenerationArguments
{
    /// <summary>Size and steps with the built-in tiny model set: its videos are noise, so small and quick is enough.</summary>
    public const int TinySize = 256, TinySteps = 12;

    private static readonly GenerationOptions Svd = GenerationOptions.Default;

    /// <summary>The model folder; without it, the built-in tiny set.</summary>
    public Option<DirectoryInfo?> Model { get; } = new("--model", "-m")
    {
        Description = "An SVD model folder (see the README); without it, the built-in tiny model set, whose videos are noise.",
    };

    /// <summary>Frame width.</summary>
    public Option<int?> Width { get; } = new("--width") { Description = $"Frame width in pixels, a multiple of 64. Default {Svd.Width}; {TinySize} with the tiny model." };

    /// <summary>Frame height.</summary>
    public Option<int?> Height { get; } = new("--height") { Description = $"Frame height in pixels, a multiple of 64. Default {Svd.Height}; {TinySize} with the tiny model." };

    /// <summary>Frame count.</summary>
    public Option<int?> Frames { get; } = new("--frames") { Description = "Frames per video. Default: the model's num_frames (14 for SVD, 25 for SVD-XT)." };

    /// <summary>Denoising steps.</summary>
    public Option<int?> Steps { get; } = new("--steps") { Description = $"Denoising steps, 1 or more: more is slower and cleaner. Default {Svd.Steps}; {TinySteps} with the tiny model." };

    /// <summary>Noise seed.</summary>
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Noise seed; the same seed, image and options give the same video. Default: random (the seed used is printed)." };

    /// <summary>Frame rate, also a conditioning of the UNet.</summary>
    public Option<int?> Fps { get; } = new("--fps")
    {
        Description = $"Frames per second, 1 to 60: the playback rate, and the UNet is conditioned on it (fps - 1), so a lower rate asks for larger steps between frames. Default {Svd.Fps}.",
    };

    /// <summary>Motion bucket id.</summary>
    public Option<int?> MotionBucket { get; } = new("--motion-bucket")
    {
        Description = $"Motion bucket id, 0 to 255: how much the video moves (higher, more motion). Default {Svd.MotionBucketId}.",
    };

    /// <summary>Noise augmentation of the conditioning image.</summary>
    public Option<float?> NoiseAug { get; } = new("--noise-aug")
    {
        Description = string.Create(CultureInfo.InvariantCulture,
            $"Noise added to the conditioning image, 0 to 1: more lets the video stray further from the image and move more. Default {Svd.NoiseAugStrength}."),
    };

    /// <summary>Guidance of the first frame.</summary>
    public Option<float?> MinGuidance { get; } = new("--min-guidance")
    {
        Description = string.Create(CultureInfo.InvariantCulture,
            $"Classifier-free guidance of the first frame, 0 to 20; guidance rises linearly to --max-guidance at the last frame. Default {Svd.MinGuidanceScale:0.0}."),
    };

    /// <summary>Guidance of the last frame.</summary>
    public Option<float?> MaxGuidance { get; } = new("--max-guidance")
    {
        Description = string.Create(CultureInfo.InvariantCulture,
            $"Classifier-free guidance of the last frame, 0 to 20: higher follows the image more closely (too high over-saturates); 1 or less turns guidance off and halves the UNet's work. Default {Svd.MaxGuidanceScale:0.0}."),
    };

    /// <summary>Adds the options to <paramref name="command"/>, with their range checks.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Width);
        command.Options.Add(Height);
        command.Options.Add(Frames);
        command.Options.Add(Steps);
        command.Options.Add(Seed);
        command.Options.Add(Fps);
        command.Options.Add(MotionBucket);
        command.Options.Add(NoiseAug);
        command.Options.Add(MinGuidance);
        command.Options.Add(MaxGuidance);
        Range(Width, 64, 8192, "a multiple of 64", v => v % 64 == 0);
        Range(Height, 64, 8192, "a multiple of 64", v => v % 64 == 0);
        Range(Frames, 1, 1000);
        Range(Steps, 1, 1000);
        Range(Fps, 1, 60);
        Range(MotionBucket, 0, 255);
        Range(NoiseAug, 0, 1);
        Range(MinGuidance, 0, 20);
        Range(MaxGuidance, 0, 20);
    }

    /// <summary>The generation options asked for; what is not given takes SVD's default, or the tiny model's size and steps.</summary>
    public GenerationOptions Read(ParseResult parse)
    {
        var tiny = parse.GetValue(Model) is null;
        return new GenerationOptions
        {
            Width = parse.GetValue(Width) ?? (tiny ? TinySize : Svd.Width),
            Height = parse.GetValue(Height) ?? (tiny ? TinySize : Svd.Height),
            Steps = parse.GetValue(Steps) ?? (tiny ? TinySteps : Svd.Steps),
            NumFrames = parse.GetValue(Frames),
            Seed = parse.GetValue(Seed),
            Fps = parse.GetValue(Fps) ?? Svd.Fps,
            MotionBucketId = parse.GetValue(MotionBucket) ?? Svd.MotionBucketId,
            NoiseAugStrength = parse.GetValue(NoiseAug) ?? Svd.NoiseAugStrength,
            MinGuidanceScale = parse.GetValue(MinGuidance) ?? Svd.MinGuidanceScale,
            MaxGuidanceScale = parse.GetValue(MaxGuidance) ?? Svd.MaxGuidanceScale,
        };
    }

    private static void Range<T>(Option<T?> option, T min, T max, string? what = null, Func<T, bool>? also = null)
        where T : struct, IComparable<T>, IParsable<T>
    {
        option.Validators.Add(result =>
        {
            // A value that does not parse is already reported by the parser; reading it here would throw.
            if (result.Tokens.Count > 0 && !T.TryParse(result.Tokens[^1].Value, CultureInfo.InvariantCulture, out _))
            {
                return;
            }
            if (result.GetValueOrDefault<T?>() is { } value && (value.CompareTo(min) < 0 || value.CompareTo(max) > 0 || also?.Invoke(value) == false))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture,
                    $"{option.Name} must be {(what is null ? "" : what + " ")}from {min} to {max}; got {value}."));
            }
        });
    }
}
