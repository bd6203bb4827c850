using System.Diagnostics.CodeAnalysis;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;

namespace Fme.MLNet.MLNet;

/// <summary>
/// Everything <c>mlContext.Transforms.GenerateVideoFme</c> needs: the columns, the model folder, what to generate and how
/// the networks run. Immutable; validated on construction. Settings left null take the <c>MLContext</c>'s
/// (<c>GpuDeviceId</c>, <c>FallbackToCpu</c>, and <c>IntraOpNumThreads</c> from <c>SetOnnxSessionOption</c>), as
/// <c>ApplyOnnxModel</c> does; a value given here wins.
/// </summary>
public sealed record GenerateVideoFmeOptions
{
    private readonly string _outputColumnName;
    private readonly string? _inputColumnName;
    private readonly int? _gpuDeviceId;
    private readonly int? _intraOpNumThreads;

    /// <summary>Creates options for one image column.</summary>
    /// <param name="outputColumnName">The video column to add.</param>
    /// <param name="inputColumnName">The image column to read; null reads <paramref name="outputColumnName"/> (and the
    /// video then replaces the image, as ML.NET transforms do when the names agree).</param>
    public GenerateVideoFmeOptions(string outputColumnName, string? inputColumnName = null)
    {
        _outputColumnName = CheckOutput(outputColumnName);
        InputColumnName = inputColumnName;
    }

    /// <summary>Name of the video column the transform adds.</summary>
    public string OutputColumnName
    {
        get => _outputColumnName;
        init => _outputColumnName = CheckOutput(value);
    }

    /// <summary>Name of the image column (ML.NET <c>MLImage</c>, as <c>LoadImages</c> and <c>ResizeImages</c> produce);
    /// defaults to <see cref="OutputColumnName"/> (setting null restores that default).</summary>
    [AllowNull]
    public string InputColumnName
    {
        get => _inputColumnName ?? _outputColumnName;
        init => _inputColumnName = value is not null && string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException("The input column name cannot be blank; pass null to read the output column's name.", nameof(InputColumnName))
            : value;
    }

    /// <summary>The SVD model folder (see <c>SvdModelFolder</c>); null uses the built-in tiny model set, whose videos are
    /// noise (it is for trying the plumbing, not for pictures).</summary>
    public string? ModelFolder { get; init; }

    /// <summary>What to generate for every row: size, frames, steps, guidance, seed. Default: SVD's defaults.</summary>
    public GenerationOptions Generation { get; init; } = GenerationOptions.Default;

    /// <summary>How the UNet is cut into pieces.</summary>
    public StreamlineOptions Unet { get; init; } = StreamlineOptions.Default;

    /// <summary>How the temporal VAE decoder is cut into pieces.</summary>
    public StreamlineOptions Decoder { get; init; } = StreamlineOptions.Default;

    /// <summary>CUDA device to run on; null takes <c>mlContext.GpuDeviceId</c> (itself null for the CPU).</summary>
    public int? GpuDeviceId
    {
        get => _gpuDeviceId;
        init => _gpuDeviceId = value is null or >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(GpuDeviceId), value, "A GPU device id cannot be negative.");
    }

    /// <summary>Run on the CPU when CUDA cannot be loaded; null takes <c>mlContext.FallbackToCpu</c> (false unless set, as
    /// for <c>ApplyOnnxModel</c>).</summary>
    public bool? FallbackToCpu { get; init; }

    /// <summary>Return the ONNX Runtime arenas' free memory after every run: less memory, more time (see <see cref="Pipelines.PipelineOptions.ShrinkArenas"/>).</summary>
    public bool ShrinkArenas { get; init; }

    /// <summary>Let float32 networks use TF32 on CUDA (see <see cref="Pipelines.PipelineOptions.AllowTf32"/>). Default false.</summary>
    public bool AllowTf32 { get; init; }

    /// <summary>Threads per ONNX Runtime operator; null takes the context's <c>OnnxSessionOptions.IntraOpNumThreads</c>
    /// when set, else ONNX Runtime's choice.</summary>
    public int? IntraOpNumThreads
    {
        get => _intraOpNumThreads;
        init => _intraOpNumThreads = value is null or >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(IntraOpNumThreads), value, "IntraOpNumThreads must be at least 1.");
    }

    private static string CheckOutput(string? name) => string.IsNullOrWhiteSpace(name)
        ? throw new ArgumentException("The output column name cannot be null or blank.", nameof(OutputColumnName))
        : name;
}
