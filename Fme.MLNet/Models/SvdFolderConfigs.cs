using System.Text.Json.Nodes;

namespace Fme.MLNet.Models;

/// <summary>What the pipeline reads from <c>unet/config.json</c> (diffusers' field names).</summary>
/// <param name="NumFrames">Frames per video (<c>num_frames</c>): 14 for SVD, 25 for SVD-XT.</param>
/// <param name="InChannels">Input channels (<c>in_channels</c>): 8, noisy latents and image latents.</param>
/// <param name="OutChannels">Output channels (<c>out_channels</c>, default 4).</param>
/// <param name="CrossAttentionDim">Image embedding width (<c>cross_attention_dim</c>), when the config gives it.</param>
public sealed record SvdUnetConfig(int NumFrames, int InChannels, int OutChannels, int? CrossAttentionDim)
{
    /// <summary>
    /// Most frames accepted from <c>num_frames</c> or <c>GenerationOptions.NumFrames</c>: 256, ten times SVD-XT's 25.
    /// Every buffer of the denoising loop grows with the frame count, so a larger count is refused before anything is allocated.
    /// </summary>
    public const int MaxNumFrames = 256;

    internal const string Expectation = "the UNet's diffusers config with at least num_frames and in_channels " +
                                         "(e.g. {\"num_frames\": 25, \"in_channels\": 8, \"cross_attention_dim\": 1024})";

    internal static SvdUnetConfig Read(string path)
    {
        var file = JsonConfigFile.Read(path, Expectation);
        return new SvdUnetConfig(file.IntInRange("num_frames", MaxNumFrames, $"{nameof(SvdUnetConfig)}.{nameof(MaxNumFrames)}"), file.Int("in_channels", true)!.Value,
            file.Int("out_channels", false) ?? 4, file.Int("cross_attention_dim", false));
    }
}

/// <summary>What the pipeline reads from <c>vae_decoder/config.json</c>.</summary>
/// <param name="ScalingFactor">Latents are divided by it before decoding (<c>scaling_factor</c>, 0.18215 for SVD).</param>
/// <param name="LatentChannels">Latent channels (<c>latent_channels</c>, default 4).</param>
public sealed record SvdVaeConfig(double ScalingFactor, int LatentChannels)
{
    internal const string Expectation = "the VAE's diffusers config with scaling_factor (e.g. {\"scaling_factor\": 0.18215, \"latent_channels\": 4})";

    internal static SvdVaeConfig Read(string path)
    {
        var file = JsonConfigFile.Read(path, Expectation);
        return new SvdVaeConfig(file.Number("scaling_factor", true)!.Value, file.Int("latent_channels", false) ?? 4);
    }
}

/// <summary>What the pipeline reads from <c>feature_extractor/preprocessor_config.json</c> (CLIPImageProcessor).</summary>
/// <param name="ImageMean">Per-channel mean, RGB.</param>
/// <param name="ImageStd">Per-channel standard deviation, RGB.</param>
/// <param name="CropSize">Side of the square CLIP input (<c>crop_size</c>, default 224).</param>
public sealed record ClipPreprocessorConfig(IReadOnlyList<float> ImageMean, IReadOnlyList<float> ImageStd, int CropSize)
{
    internal const string Expectation = "CLIPImageProcessor's config with image_mean and image_std (3 numbers each)";

    internal static ClipPreprocessorConfig Read(string path)
    {
        var file = JsonConfigFile.Read(path, Expectation);
        var mean = file.Numbers("image_mean", 3, -1, 1);
        var std = file.Numbers("image_std", 3, 0, 10);
        // crop_size is an int in older processors and {"height", "width"} in newer ones.
        var node = file.Root["crop_size"];
        var crop = node switch
        {
            null => 224,
            JsonObject o when JsonConfigFile.AsPositiveInt(o["height"]) is { } h && JsonConfigFile.AsPositiveInt(o["width"]) == h => h,
            _ => JsonConfigFile.AsPositiveInt(node) ?? throw file.Wrong("crop_size", node, "a positive integer or {\"height\": n, \"width\": n}"),
        };
        return new ClipPreprocessorConfig(mean, std, crop);
    }
}
