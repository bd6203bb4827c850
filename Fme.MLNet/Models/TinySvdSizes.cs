namespace Fme.MLNet.Models;

/// <summary>
/// Widths of the tiny model set: SVD's topology (svd-reference) at small sizes. Channels are multiples of 32 so
/// GroupNorm(32) applies; attention heads are 16 wide.
/// </summary>
internal static class TinySvdSizes
{
    /// <summary>UNet block widths (SVD: 320, 640, 1280, 1280).</summary>
    public static readonly long[] UnetChannels = [32, 32, 32, 64];

    /// <summary>UNet attention heads per block (SVD: 5, 10, 20, 20).</summary>
    public static readonly long[] UnetHeads = [2, 2, 2, 4];

    /// <summary>Resnet layers per down block; up blocks have one more (SVD: 2).</summary>
    public const int LayersPerBlock = 2;

    /// <summary>UNet input channels: 4 noisy latent + 4 image latent.</summary>
    public const long UnetInChannels = 8;

    /// <summary>Latent channels of the VAE and the UNet's output.</summary>
    public const long LatentChannels = 4;

    /// <summary>Width of each added-time-id sinusoid (SVD: 256).</summary>
    public const long AdditionTimeEmbedDim = 32;

    /// <summary>Number of added time ids: fps - 1, motion bucket, noise augmentation.</summary>
    public const long AddedTimeIds = 3;

    /// <summary>Cross-attention width D = the image encoder's projection width (SVD: 1024).</summary>
    public const long CrossAttentionDim = 64;

    /// <summary>VAE block widths (SVD: 128, 256, 512, 512).</summary>
    public static readonly long[] VaeChannels = [32, 32, 32, 64];

    /// <summary>CLIP vision width (SVD: 1280).</summary>
    public const long ClipHidden = 64;

    /// <summary>CLIP vision layers (SVD: 32).</summary>
    public const int ClipLayers = 2;

    /// <summary>CLIP attention heads (SVD: 16).</summary>
    public const long ClipHeads = 4;

    /// <summary>CLIP MLP width (SVD: 5120).</summary>
    public const long ClipIntermediate = 256;

    /// <summary>CLIP patch size and image size, as SVD's.</summary>
    public const long ClipPatch = 14, ClipImage = 224;

    /// <summary>Time embedding width: 4 x the first block width, as diffusers sets it.</summary>
    public static long TimeEmbedDim => 4 * UnetChannels[0];
}
