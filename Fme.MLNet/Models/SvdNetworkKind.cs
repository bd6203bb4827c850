namespace Fme.MLNet.Models;

/// <summary>The four networks of an SVD model folder, each in the sub-folder its <see cref="SvdNetworkKinds.FolderName"/> names.</summary>
public enum SvdNetworkKind
{
    /// <summary>CLIP vision encoder with projection (<c>image_encoder/</c>).</summary>
    ImageEncoder,

    /// <summary>VAE encoder (<c>vae_encoder/</c>).</summary>
    VaeEncoder,

    /// <summary>UNetSpatioTemporalConditionModel (<c>unet/</c>).</summary>
    Unet,

    /// <summary>Temporal VAE decoder (<c>vae_decoder/</c>).</summary>
    VaeDecoder,
}

/// <summary>Facts about <see cref="SvdNetworkKind"/> values.</summary>
public static class SvdNetworkKinds
{
    /// <summary>All kinds, in pipeline order.</summary>
    public static IReadOnlyList<SvdNetworkKind> All { get; } =
        [SvdNetworkKind.ImageEncoder, SvdNetworkKind.VaeEncoder, SvdNetworkKind.Unet, SvdNetworkKind.VaeDecoder];

    /// <summary>The sub-folder of a model folder that holds the network.</summary>
    public static string FolderName(this SvdNetworkKind kind) => kind switch
    {
        SvdNetworkKind.ImageEncoder => "image_encoder",
        SvdNetworkKind.VaeEncoder => "vae_encoder",
        SvdNetworkKind.Unet => "unet",
        SvdNetworkKind.VaeDecoder => "vae_decoder",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown network kind."),
    };
}
