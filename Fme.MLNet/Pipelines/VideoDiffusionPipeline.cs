using System.Diagnostics;
using Fme.MLNet.Diffusion;
using Fme.MLNet.Imaging;
using Fme.MLNet.Models;
using Fme.MLNet.Rehash;
using Fme.MLNet.Streamlining;

namespace Fme.MLNet.Pipelines;

/// <summary>
/// Stable Video Diffusion image-to-video from an ONNX model folder: CLIP image embedding and VAE conditioning, the
/// EulerDiscrete (Karras, v-prediction) loop with per-frame classifier-free guidance, and a temporal decode of all frames
/// at once. The UNet and the decoder run through the streamlined executor; with Step Rehash
/// (<see cref="GenerationOptions.StepRehash"/>) some steps reuse the UNet's deep features. Holds native sessions: dispose
/// it. One generation at a time per instance.
/// </summary>
public sealed partial class VideoDiffusionPipeline : IDisposable
{
    private readonly NetworkSession _imageEncoder;
    private readonly NetworkSession _vaeEncoder;
    private readonly UnetRunner _unet;
    private readonly NetworkSession _decoder;
    private readonly EulerDiscreteScheduler _scheduler;
    private readonly ClipImagePreprocessor _clip;
    private readonly object _gate = new();
    private bool _disposed;

    private VideoDiffusionPipeline(SvdModelFolder models, PipelineOptions options)
    {
        Models = models;
        Options = options;
        _scheduler = EulerDiscreteScheduler.FromConfigFile(models.SchedulerConfigPath);
        _clip = new ClipImagePreprocessor(models.ClipConfig.CropSize, models.ClipConfig.ImageMean, models.ClipConfig.ImageStd);
        var factory = new SessionOptionsFactory(options);
        var made = new List<NetworkSession>();
        try
        {
            NetworkSession Make(SvdNetwork network, StreamlineOptions? streamline)
            {
                var session = new NetworkSession(network, factory, streamline);
                made.Add(session);
                return session;
            }
            _imageEncoder = Make(models.ImageEncoder, null);
            _vaeEncoder = Make(models.VaeEncoder, null);
            _decoder = Make(models.VaeDecoder, options.Decoder with { InputAxes = DecoderAxes(models, options.Decoder) });
            _unet = new UnetRunner(models.Unet, factory, options.Unet);
        }
        catch
        {
            foreach (var s in made)
            {
                s.Dispose();
            }
            throw;
        }
        UsesCuda = factory.UsesCuda;
    }

    /// <summary>The model folder the pipeline runs.</summary>
    public SvdModelFolder Models { get; }

    /// <summary>How the networks run.</summary>
    public PipelineOptions Options { get; }

    /// <summary>Whether the networks run on CUDA (false when CUDA was not asked for, or fell back to the CPU).</summary>
    public bool UsesCuda { get; }

    /// <summary>The UNet's streamlined plan for the last generation's shapes (with Step Rehash: the full model's).</summary>
    public StreamlinedPlan? UnetPlan => _unet.Plan;

    /// <summary>Which steps of the last generation ran the whole UNet and which only its shallow part (Step Rehash).</summary>
    public UnetCalls LastUnetCalls { get; private set; } = UnetCalls.None;

    /// <summary>The UNet's sessions, for tests.</summary>
    internal UnetRunner Unet => _unet;

    /// <summary>The decoder's streamlined plan for the last generation's shapes.</summary>
    public StreamlinedPlan? DecoderPlan => _decoder.Plan;

    /// <summary>Time spent inside ONNX Runtime by the last generation (the rest is pre/post-processing and the scheduler).</summary>
    public TimeSpan LastRuntimeElapsed { get; private set; }

    /// <summary>Opens and validates a model folder (see <see cref="SvdModelFolder"/>) and creates its sessions.</summary>
    /// <exception cref="ModelFolderException">The folder is incomplete or inconsistent.</exception>
    /// <exception cref="ExecutionProviderException">CUDA was asked for, cannot be loaded, and falling back is not allowed.</exception>
    public static VideoDiffusionPipeline Load(string modelFolder, PipelineOptions? options = null) =>
        new(SvdModelFolder.Open(modelFolder), options ?? PipelineOptions.Default);

    /// <summary>
    /// The built-in tiny model set (SVD's topology at small widths, seeded random weights: its videos are noise), written to
    /// the user's cache on first use.
    /// </summary>
    public static VideoDiffusionPipeline LoadTiny(PipelineOptions? options = null) =>
        new(TinySvd.EnsureCached(), options ?? PipelineOptions.Default);

    /// <summary>Generates a video from an image file (read after checking its size).</summary>
    public VideoFrames Generate(string imagePath, GenerationOptions? options = null, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Generate(RgbImage.FromFile(imagePath), options, progress, cancellationToken);

    /// <summary>
    /// Generates <see cref="GenerationOptions.NumFrames"/> frames of <see cref="GenerationOptions.Width"/> x
    /// <see cref="GenerationOptions.Height"/> from <paramref name="image"/>. Every input is checked before work starts.
    /// Progress is reported per stage and per denoising step; cancellation stops within one network call and frees its memory.
    /// </summary>
    /// <exception cref="ArgumentException">A size the model does not allow, an empty image, or a rehash schedule for another step count.</exception>
    /// <exception cref="RehashException">Step Rehash was asked for and the UNet has no skip connections to split at.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public VideoFrames Generate(RgbImage image, GenerationOptions? options = null, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= GenerationOptions.Default;
        return Execute(image, options, () => _unet.Begin(options.StepRehash, options.Steps), progress, cancellationToken).Video;
    }

    /// <summary>
    /// Calibrates a Step Rehash schedule: generates as <see cref="Generate(RgbImage, GenerationOptions?, IProgress{GenerationProgress}?, CancellationToken)"/>
    /// does with every step full (<see cref="GenerationOptions.StepRehash"/> is ignored), measures how much the UNet's deep
    /// tensor changes from each step to the next (relative L2), and makes step 0 and the steps where it changes most full.
    /// The schedule is for <see cref="GenerationOptions.Steps"/> steps; use it with the same <paramref name="depth"/>.
    /// While it runs, the previous step's deep tensor is held beside the new one.
    /// </summary>
    /// <param name="image">The conditioning image.</param>
    /// <param name="options">What to generate (the same as the generations the schedule is for).</param>
    /// <param name="fullSteps">How many steps run the whole UNet, 1 to <see cref="GenerationOptions.Steps"/>.</param>
    /// <param name="depth">How many outermost levels rehash steps compute (<see cref="StepRehashOptions.Depth"/>).</param>
    /// <param name="progress">Progress, as for a generation.</param>
    /// <param name="cancellationToken">Stops the calibration.</param>
    /// <exception cref="RehashException">The UNet has no skip connections to split at.</exception>
    public RehashSchedule CalibrateRehash(RgbImage image, GenerationOptions options, int fullSteps, int depth = 1,
        IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(fullSteps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fullSteps, options.Steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var (_, changes) = Execute(image, options, () => _unet.BeginCalibration(depth), progress, cancellationToken);
        return RehashSchedule.FromDeepChanges(changes, fullSteps);
    }

    private (VideoFrames Video, IReadOnlyList<double> DeepChanges) Execute(RgbImage image, GenerationOptions options, Func<UnetLoop> begin,
        IProgress<GenerationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var frames = Validate(image, options);
            using var unet = begin();
            var clock = Stopwatch.StartNew();
            var runtimeBefore = RuntimeElapsed();
            var video = Run(image, options, frames, unet, clock, progress, cancellationToken);
            LastRuntimeElapsed = RuntimeElapsed() - runtimeBefore;
            LastUnetCalls = unet.Calls;
            return (video, unet.DeepChanges);
        }
    }

    private TimeSpan RuntimeElapsed() =>
        _imageEncoder.RuntimeElapsed + _vaeEncoder.RuntimeElapsed + _unet.RuntimeElapsed + _decoder.RuntimeElapsed;

    /// <summary>Checks sizes against the model before any work; returns the frame count.</summary>
    private int Validate(RgbImage image, GenerationOptions options)
    {
        if (image.Width < 1 || image.Height < 1)
        {
            throw new ArgumentException($"The image is empty ({image.Width} x {image.Height}).", nameof(image));
        }
        return Validate(options);
    }

    /// <summary>Checks the options against the model (sizes, frames); returns the frame count. Callers may check ahead of any image.</summary>
    internal int Validate(GenerationOptions options)
    {
        var frames = options.NumFrames ?? Models.UnetConfig.NumFrames;
        var fixedSize = Models.Unet.Input(SvdTensorRoles.Sample).FixedSize(3) is not null;
        if (!fixedSize && (options.Width % 64 != 0 || options.Height % 64 != 0))
        {
            throw new ArgumentException(
                $"Width and height must be multiples of 64 (the VAE's factor 8 times the UNet's three downsamplings); asked for " +
                $"{options.Width} x {options.Height}. Try {Round64(options.Width)} x {Round64(options.Height)}.", nameof(options));
        }
        Models.CheckSizes(frames, options.Height, options.Width, FrameGuidance.IsEnabled(options.MaxGuidanceScale) ? 2 : 1);
        return frames;
    }

    private static int Round64(int size) => Math.Max(64, (size + 32) / 64 * 64);

    /// <summary>The decoder's latent input is batch x frames: say so, so its cuts are planned as frames.</summary>
    private static IReadOnlyDictionary<string, AxisLabel[]> DecoderAxes(SvdModelFolder models, StreamlineOptions options)
    {
        var axes = new Dictionary<string, AxisLabel[]>(options.InputAxes ?? new Dictionary<string, AxisLabel[]>(), StringComparer.Ordinal);
        axes.TryAdd(models.VaeDecoder.Input(SvdTensorRoles.LatentSample).Name,
            [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width]);
        return axes;
    }

    /// <summary>Releases every session.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _imageEncoder.Dispose();
            _vaeEncoder.Dispose();
            _unet.Dispose();
            _decoder.Dispose();
        }
    }
}
