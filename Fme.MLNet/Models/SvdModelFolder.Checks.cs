namespace Fme.MLNet.Models;

// Agreement between configs and graphs, checked before anything runs.
public sealed partial class SvdModelFolder
{
    private static void CheckScheduler(string path)
    {
        var file = JsonConfigFile.Read(path, "EulerDiscreteScheduler's diffusers config (scheduler_config.json)");
        if (file.String("_class_name") is { } name && name != "EulerDiscreteScheduler")
        {
            throw new ModelFolderException(path, $"_class_name is '{name}'; expected EulerDiscreteScheduler, the scheduler SVD uses.");
        }
    }

    private static VaeEncoderOutput CheckAgreement(IReadOnlyDictionary<SvdNetworkKind, SvdNetwork> networks, SvdUnetConfig unet,
        SvdVaeConfig vae, ClipPreprocessorConfig clip)
    {
        var u = networks[SvdNetworkKind.Unet];
        var unetConfig = Path.Combine(Path.GetDirectoryName(u.OnnxPath)!, "config.json");
        var latent = vae.LatentChannels;
        if (unet.InChannels != 2 * latent || unet.OutChannels != latent)
        {
            throw new ModelFolderException(unetConfig,
                $"in_channels {unet.InChannels} and out_channels {unet.OutChannels} do not fit latent_channels {latent} of the VAE config; " +
                $"expected in_channels {2 * latent} (noisy and image latents) and out_channels {latent}.");
        }

        Axis(u, SvdTensorRoles.Sample, 1, unet.NumFrames, $"num_frames {unet.NumFrames} in {unetConfig}");
        Axis(u, SvdTensorRoles.Sample, 2, unet.InChannels, $"in_channels {unet.InChannels} in {unetConfig}");
        Axis(u, SvdTensorRoles.OutSample, 2, unet.OutChannels, $"out_channels {unet.OutChannels} in {unetConfig}");
        Axis(u, SvdTensorRoles.AddedTimeIds, 1, 3, "3 ids (fps - 1, motion bucket, noise augmentation)");
        Axis(u, SvdTensorRoles.EncoderHiddenStates, 1, 1, "one embedding per video");

        // The cross-attention width: the config's when given, else whatever the UNet or the image encoder fixes.
        var image = networks[SvdNetworkKind.ImageEncoder];
        if (unet.CrossAttentionDim is { } d)
        {
            Axis(u, SvdTensorRoles.EncoderHiddenStates, 2, d, $"cross_attention_dim {d} in {unetConfig}");
            Axis(image, SvdTensorRoles.ImageEmbeds, 1, d, $"cross_attention_dim {d} in {unetConfig}");
        }
        else if (u.Input(SvdTensorRoles.EncoderHiddenStates).FixedSize(2) is { } fixedWidth)
        {
            Axis(image, SvdTensorRoles.ImageEmbeds, 1, fixedWidth, $"the UNet's encoder_hidden_states width {fixedWidth}");
        }

        Axis(image, SvdTensorRoles.PixelValues, 1, 3, "RGB");
        Axis(image, SvdTensorRoles.PixelValues, 2, clip.CropSize, $"crop_size {clip.CropSize} of the preprocessor config");
        Axis(image, SvdTensorRoles.PixelValues, 3, clip.CropSize, $"crop_size {clip.CropSize} of the preprocessor config");

        var decoder = networks[SvdNetworkKind.VaeDecoder];
        var vaeConfig = Path.Combine(Path.GetDirectoryName(decoder.OnnxPath)!, "config.json");
        Axis(decoder, SvdTensorRoles.LatentSample, 1, latent, $"latent_channels {latent} in {vaeConfig}");
        Axis(decoder, SvdTensorRoles.Sample, 1, 3, "RGB");

        var encoder = networks[SvdNetworkKind.VaeEncoder];
        Axis(encoder, SvdTensorRoles.Sample, 1, 3, "RGB");
        var output = encoder.Output(SvdTensorRoles.LatentSample);
        return output.FixedSize(1) switch
        {
            null => VaeEncoderOutput.Moments,
            var c when c == 2 * latent => VaeEncoderOutput.Moments,
            var c when c == latent => VaeEncoderOutput.Mode,
            var c => throw new ModelFolderException(encoder.OnnxPath,
                $"output '{output.Name}' has {c} channels {output.ShapeText}; expected {2 * latent} (moments) or {latent} (the mode) " +
                $"for latent_channels {latent} in {vaeConfig}."),
        };
    }

    /// <summary>Throws when the tensor for <paramref name="role"/> fixes <paramref name="axis"/> to a size other than <paramref name="expected"/>.</summary>
    private static void Axis(SvdNetwork network, string role, int axis, long expected, string because)
    {
        var tensor = network.Inputs.Concat(network.Outputs).First(t => t.Role == role);
        if (tensor.FixedSize(axis) is { } size && size != expected)
        {
            var direction = network.Inputs.Contains(tensor) ? "input" : "output";
            throw new ModelFolderException(network.OnnxPath,
                $"{direction} '{tensor.Name}' {tensor.ShapeText} has {size} on axis {axis}; expected {expected} to agree with {because}.");
        }
    }
}
