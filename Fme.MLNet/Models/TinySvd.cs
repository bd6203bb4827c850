using Fme.MLNet.Onnx;
using Google.Protobuf;

namespace Fme.MLNet.Models;

/// <summary>
/// The built-in tiny SVD model set: SVD's four networks with their real topology at small widths and seeded random
/// weights, written as a model folder that <see cref="SvdModelFolder.Open"/> accepts. It computes nothing meaningful;
/// it exists so the pipeline and the streamlined executor can be run and tested anywhere in seconds. The same writer
/// makes SVD's real widths (<see cref="SvdSizePreset.Svd"/>), to plan and measure the executor at the size users run.
/// </summary>
public static partial class TinySvd
{
    /// <summary>The file name of each network's graph; its weights go to <c>model.onnx.data</c> beside it.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>External data file of the TensorRT-layout UNet: a UUID-like name, as Stability's release has.</summary>
    public const string TensorRtDataFileName = "4e5c1a52-6f0b-4d3e-9a7c-2b8d0f6e1c93";

    /// <summary>Builds one network in memory.</summary>
    /// <remarks>At <see cref="SvdSizePreset.Svd"/> widths this holds gigabytes of weights; <see cref="Write"/> streams them instead.</remarks>
    public static OnnxModel Build(SvdNetworkKind kind, TinySvdOptions? options = null) => Build(kind, options, null);

    /// <summary>
    /// One network's graph with its large weights as references into <c>model.onnx.data</c>, which is neither written
    /// nor drawn: what the graph looks like (shapes, parameter counts) at any preset, in a fraction of a second.
    /// </summary>
    internal static OnnxModel BuildWithoutWeights(SvdNetworkKind kind, TinySvdOptions options)
    {
        using var dryRun = new ExternalWeights(ModelFileName + ".data", null);
        return Build(kind, options, dryRun);
    }

    private static OnnxModel Build(SvdNetworkKind kind, TinySvdOptions? options, ExternalWeights? external)
    {
        options ??= new TinySvdOptions();
        options.Validate();
        var weights = new SeededWeights(options.Seed);
        return kind switch
        {
            SvdNetworkKind.ImageEncoder => TinyImageEncoder.Build(options, weights, external),
            SvdNetworkKind.VaeEncoder => TinyVaeEncoder.Build(options, weights, external),
            SvdNetworkKind.Unet => TinyUnet.Build(options, weights, external),
            SvdNetworkKind.VaeDecoder => TinyVaeDecoder.Build(options, weights, external),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown network kind."),
        };
    }

    /// <summary>
    /// Writes the whole model folder: the four networks (graph plus external data each), the scheduler, UNet, VAE and
    /// CLIP configs, and <c>tiny_svd.json</c> recording the options. Existing files of the same names are replaced.
    /// Returns the folder as the loader sees it.
    /// </summary>
    /// <exception cref="ModelFolderException">The written folder does not validate (a bug in this writer).</exception>
    public static SvdModelFolder Write(string folder, TinySvdOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new TinySvdOptions();
        options.Validate();
        foreach (var kind in SvdNetworkKinds.All)
        {
            var dataName = kind == SvdNetworkKind.Unet && options.UnetLayout == TinyUnetLayout.TensorRt ? TensorRtDataFileName : null;
            var modelPath = Path.Combine(folder, kind.FolderName(), ModelFileName);
            if (options.Preset == SvdSizePreset.Tiny)
            {
                Build(kind, options).Save(modelPath, new OnnxSaveOptions { ExternalDataFileName = dataName });
            }
            else
            {
                WriteStreamed(kind, options, modelPath, dataName ?? ModelFileName + ".data");
            }
        }
        TinySvdConfigs.Write(folder, options);
        return SvdModelFolder.Open(folder);
    }

    /// <summary>
    /// Writes the folder's graphs and configs with the data files of the right length but never filled (sparse files,
    /// reading as zeros): in seconds, for planning (<c>fme plan</c> reads graphs only) at any preset. Its networks can be
    /// run but compute nothing; it is not cached.
    /// </summary>
    public static SvdModelFolder WriteGraphsOnly(string folder, TinySvdOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        foreach (var kind in SvdNetworkKinds.All)
        {
            var dataName = kind == SvdNetworkKind.Unet && options.UnetLayout == TinyUnetLayout.TensorRt ? TensorRtDataFileName : ModelFileName + ".data";
            var networkFolder = Path.Combine(folder, kind.FolderName());
            Directory.CreateDirectory(networkFolder);
            OnnxModel model;
            long bytes;
            using (var dryRun = new ExternalWeights(dataName, null))
            {
                model = Build(kind, options, dryRun);
                bytes = dryRun.Bytes;
            }
            using (var data = new FileStream(Path.Combine(networkFolder, dataName), FileMode.Create, FileAccess.Write))
            {
                data.SetLength(bytes);
            }
            using var output = new FileStream(Path.Combine(networkFolder, ModelFileName), FileMode.Create, FileAccess.Write);
            model.Proto.WriteTo(output);
        }
        TinySvdConfigs.Write(folder, options);
        return SvdModelFolder.Open(folder);
    }

    /// <summary>Writes one network with each large weight appended to the data file as it is drawn (one tensor in memory at a time).</summary>
    internal static void WriteStreamed(SvdNetworkKind kind, TinySvdOptions options, string modelPath, string dataName)
    {
        var folder = Path.GetDirectoryName(modelPath)!;
        Directory.CreateDirectory(folder);
        OnnxModel model;
        using (var store = new ExternalWeights(dataName,
                   new FileStream(Path.Combine(folder, dataName), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20)))
        {
            model = Build(kind, options, store);
        }
        using var output = new FileStream(modelPath, FileMode.Create, FileAccess.Write);
        model.Proto.WriteTo(output);
    }
}
