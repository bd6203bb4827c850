using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// The tiny 2-D VAE encoder with its 1x1 quant conv. Input <c>sample</c> [batch, 3, pixel_height, pixel_width];
/// output <c>latent_sample</c> [batch, 8, height, width]: the 8 moment channels (mean, then log-variance) of the latent
/// distribution. The pipeline takes the mode, the first 4 channels.
/// </summary>
internal static class TinyVaeEncoder
{
    public static OnnxModel Build(TinySvdOptions options, SeededWeights weights, ExternalWeights? external = null)
    {
        var w = SvdGraphWriter.Create("vae_encoder", SvdGraphWriter.ComputeType(options), weights, external);
        var b = w.B;
        var s = options.Sizes;
        var channels = s.VaeChannels;
        var moments = 2 * s.LatentChannels;

        var sample = w.ToCompute(b.Input("sample", OnnxElementType.Float, "batch", 3, "pixel_height", "pixel_width"));
        GraphValue h;
        using (b.Scope("encoder"))
        {
            var current = channels[0];
            h = w.Conv2d("conv_in", sample, 3, current, 3);
            for (var i = 0; i < channels.Length; i++)
            {
                using var _ = b.Scope($"down_blocks.{i}");
                for (var j = 0; j < s.LayersPerBlock; j++)
                {
                    h = w.ResnetBlock2D($"resnets.{j}", h, current, channels[i], 1e-6f);
                    current = channels[i];
                }
                if (i < channels.Length - 1)
                {
                    h = w.DownsamplePadded(h, current);
                }
            }
            using (b.Scope("mid_block"))
            {
                h = w.ResnetBlock2D("resnets.0", h, current, current, 1e-6f);
                h = w.VaeAttention("attentions.0", h, current);
                h = w.ResnetBlock2D("resnets.1", h, current, current, 1e-6f);
            }
            h = w.SiLU("conv_act", w.GroupNorm("conv_norm_out", h, current, 4, 1e-6f));
            h = w.Conv2d("conv_out", h, current, moments, 3);
        }
        h = w.Conv2d("quant_conv", h, moments, moments, 1);
        b.Output(w.ToBoundary(h, OnnxElementType.Float), "latent_sample", "batch", moments, "height", "width");
        return b.Build();
    }
}
