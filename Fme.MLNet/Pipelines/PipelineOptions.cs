using Fme.MLNet.Streamlining;

namespace Fme.MLNet.Pipelines;

/// <summary>How a <see cref="VideoDiffusionPipeline"/> runs its networks. Immutable; validated on construction.</summary>
public sealed record PipelineOptions
{
    private readonly int? _gpuDeviceId;
    private readonly int? _intraOpNumThreads;

    /// <summary>The defaults: CPU, ONNX Runtime's thread count, streamlined UNet and decoder with default cuts.</summary>
    public static PipelineOptions Default { get; } = new();

    /// <summary>CUDA device to run on; null runs on the CPU. Default null.</summary>
    public int? GpuDeviceId
    {
        get => _gpuDeviceId;
        init => _gpuDeviceId = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(GpuDeviceId), value, "A GPU device id cannot be negative.");
    }

    /// <summary>When CUDA was asked for but cannot be loaded, run on the CPU (and log it) instead of failing. Default true.</summary>
    public bool FallbackToCpu { get; init; } = true;

    /// <summary>
    /// On CUDA, let float32 convolutions and matrix products use TF32 (faster on Ampere and later, about three decimal
    /// digits). Off by default, so a float32 model gives float32 results and the streamlined networks match the plain
    /// ones to float rounding; float16 models are not affected.
    /// </summary>
    public bool AllowTf32 { get; init; }

    /// <summary>
    /// After every session run (each piece of a streamlined network), return the free memory of the ONNX Runtime arenas
    /// (the CPU's and, on CUDA, the device's) to the system. The process then holds close to the plan's predicted
    /// activations instead of the arenas' high-water marks, at the cost of allocating again: measured on the tiny UNet
    /// at 512x512, 2.63 -> 1.56 GiB resident at 2x the time on 2 CPU cores, and 4.96 -> 3.82 GiB on an H200 at 4.5x.
    /// For a GPU that is too small otherwise. Default false.
    /// </summary>
    public bool ShrinkArenas { get; init; }

    /// <summary>Threads per ONNX Runtime operator; null lets ONNX Runtime choose (one per physical core).</summary>
    public int? IntraOpNumThreads
    {
        get => _intraOpNumThreads;
        init => _intraOpNumThreads = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), value, "IntraOpNumThreads must be at least 1.");
    }

    /// <summary>How the UNet is cut (its reference-code names: num_temporal_chunk = FrameChunks, num_spatial_chunk = PixelChunks).</summary>
    public StreamlineOptions Unet { get; init; } = StreamlineOptions.Default;

    /// <summary>How the temporal VAE decoder is cut.</summary>
    public StreamlineOptions Decoder { get; init; } = StreamlineOptions.Default;

    /// <summary>Receives one line per notable event (execution provider chosen, fallback to CPU). Default: nothing.</summary>
    public Action<string>? Log { get; init; }
}
