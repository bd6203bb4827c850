namespace Fme.MLNet.Models;

/// <summary>Which widths the generated SVD model set is written at.</summary>
public enum SvdSizePreset
{
    /// <summary>SVD's topology at small widths (UNet 32/32/32/64, VAE 32-64): a model set of a few MB for tests.</summary>
    Tiny,

    /// <summary>
    /// SVD's and SVD-XT's real widths (UNet 320/640/1280/1280, VAE 128/256/512/512, CLIP ViT-H/14): about 2.3e9
    /// parameters, 4.6 GB in float16. SVD-XT has the same networks; only the frame count of its config differs.
    /// </summary>
    Svd,
}

/// <summary>
/// Widths of the generated model set. Channels are multiples of 32 so GroupNorm(32) applies. The tiny preset keeps
/// SVD's topology with 16-wide attention heads; the real preset has SVD's 64-wide heads.
/// </summary>
internal sealed record SvdSizes
{
    /// <summary>The tiny model set's widths.</summary>
    public static SvdSizes Tiny { get; } = new();

    /// <summary>SVD's widths (diffusers' UNetSpatioTemporalConditionModel and AutoencoderKLTemporalDecoder defaults, CLIP ViT-H/14).</summary>
    public static SvdSizes Svd { get; } = new()
    {
        UnetChannels = [320, 640, 1280, 1280],
        UnetHeads = [5, 10, 20, 20],
        AdditionTimeEmbedDim = 256,
        CrossAttentionDim = 1024,
        VaeChannels = [128, 256, 512, 512],
        ClipHidden = 1280,
        ClipLayers = 32,
        ClipHeads = 16,
        ClipIntermediate = 5120,
        UnetSampleSize = 96,
        VaeSampleSize = 768,
    };

    /// <summary>The widths of a preset.</summary>
    public static SvdSizes For(SvdSizePreset preset) => preset switch
    {
        SvdSizePreset.Tiny => Tiny,
        SvdSizePreset.Svd => Svd,
        _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, "Unknown size preset."),
    };

    /// <summary>UNet block widths (SVD: 320, 640, 1280, 1280).</summary>
    public long[] UnetChannels { get; init; } = [32, 32, 32, 64];

    /// <summary>UNet attention heads per block (SVD: 5, 10, 20, 20).</summary>
    public long[] UnetHeads { get; init; } = [2, 2, 2, 4];

    /// <summary>Resnet layers per down block; up blocks have one more (SVD: 2).</summary>
    public int LayersPerBlock { get; init; } = 2;

    /// <summary>UNet input channels: 4 noisy latent + 4 image latent.</summary>
    public long UnetInChannels { get; init; } = 8;

    /// <summary>Latent channels of the VAE and the UNet's output.</summary>
    public long LatentChannels { get; init; } = 4;

    /// <summary>Width of each added-time-id sinusoid (SVD: 256).</summary>
    public long AdditionTimeEmbedDim { get; init; } = 32;

    /// <summary>Number of added time ids: fps - 1, motion bucket, noise augmentation.</summary>
    public long AddedTimeIds { get; init; } = 3;

    /// <summary>Cross-attention width D = the image encoder's projection width (SVD: 1024).</summary>
    public long CrossAttentionDim { get; init; } = 64;

    /// <summary>VAE block widths (SVD: 128, 256, 512, 512).</summary>
    public long[] VaeChannels { get; init; } = [32, 32, 32, 64];

    /// <summary>CLIP vision width (SVD: 1280).</summary>
    public long ClipHidden { get; init; } = 64;

    /// <summary>CLIP vision layers (SVD: 32).</summary>
    public int ClipLayers { get; init; } = 2;

    /// <summary>CLIP attention heads (SVD: 16).</summary>
    public long ClipHeads { get; init; } = 4;

    /// <summary>CLIP MLP width (SVD: 5120).</summary>
    public long ClipIntermediate { get; init; } = 256;

    /// <summary>CLIP patch size (as SVD's).</summary>
    public long ClipPatch { get; init; } = 14;

    /// <summary>CLIP image size (as SVD's).</summary>
    public long ClipImage { get; init; } = 224;

    /// <summary>The UNet config's <c>sample_size</c> (latent pixels; SVD: 96).</summary>
    public long UnetSampleSize { get; init; } = 8;

    /// <summary>The VAE config's <c>sample_size</c> (pixels; SVD: 768).</summary>
    public long VaeSampleSize { get; init; } = 64;

    /// <summary>Time embedding width: 4 x the first block width, as diffusers sets it.</summary>
    public long TimeEmbedDim => 4 * UnetChannels[0];
}
