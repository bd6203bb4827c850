using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// The built-in tiny SVD model set: SVD's four networks with their real topology at small widths and seeded random
/// weights, written as a model folder that <see cref="SvdModelFolder.Open"/> accepts. It computes nothing meaningful;
/// it exists so the pipeline and the streamlined executor can be run and tested anywhere in seconds.
/// </summary>
public static partial class TinySvd
{
    /// <summary>The file name of each network's graph; its weights go to <c>model.onnx.data</c> beside it.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>External data file of the TensorRT-layout UNet: a UUID-like name, as Stability's release has.</summary>
    public const string TensorRtDataFileName = "4e5c1a52-6f0b-4d3e-9a7c-2b8d0f6e1c93";

    /// <summary>Builds one network in memory.</summary>
    public static OnnxModel Build(SvdNetworkKind kind, TinySvdOptions? options = null)
    {
        options ??= new TinySvdOptions();
        options.Validate();
        var weights = new SeededWeights(options.Seed);
        return kind switch
        {
            SvdNetworkKind.ImageEncoder => TinyImageEncoder.Build(options, weights),
            SvdNetworkKind.VaeEncoder => TinyVaeEncoder.Build(options, weights),
            SvdNetworkKind.Unet => TinyUnet.Build(options, weights),
            SvdNetworkKind.VaeDecoder => TinyVaeDecoder.Build(options, weights),
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
            Build(kind, options).Save(Path.Combine(folder, kind.FolderName(), ModelFileName),
                new OnnxSaveOptions { ExternalDataFileName = dataName });
        }
        TinySvdConfigs.Write(folder, options);
        return SvdModelFolder.Open(folder);
    }
}
