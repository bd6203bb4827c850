using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// The tiny TemporalDecoder of AutoencoderKLTemporalDecoder. Inputs <c>latent_sample</c> [batch_frames, 4, height, width]
/// and <c>num_frames</c> int64 [1]; output <c>sample</c> [batch_frames, 3, 8 height, 8 width]. The (B, F) split is computed
/// at run time from the latent's Shape and <c>num_frames</c>. No post-quant convolution, as SVD's decoder has none.
/// </summary>
internal static class TinyVaeDecoder
{
    public static OnnxModel Build(TinySvdOptions options, SeededWeights weights, ExternalWeights? external = null)
    {
        var w = SvdGraphWriter.Create("vae_decoder", SvdGraphWriter.ComputeType(options), weights, external);
        var b = w.B;
        var s = options.Sizes;
        var channels = s.VaeChannels;

        var latent = w.ToCompute(b.Input("latent_sample", OnnxElementType.Float, "batch_frames", s.LatentChannels, "height", "width"));
        var numFrames = b.Input("num_frames", OnnxElementType.Int64, 1);
        var frames = b.Squeeze(numFrames, 0);
        var video = new VideoContext(frames, AlphaBlend.LearnedSwitched);
        GraphValue h;
        using (b.Scope("decoder"))
        {
            var current = channels[^1];
            h = w.Conv2d("conv_in", latent, s.LatentChannels, current, 3);
            using (b.Scope("mid_block"))
            {
                h = w.SpatioTemporalResBlock("resnets.0", h, current, current, video, 1e-6f, 1e-5f);
                h = w.VaeAttention("attentions.0", h, current);
                h = w.SpatioTemporalResBlock("resnets.1", h, current, current, video, 1e-6f, 1e-5f);
            }
            for (var i = 0; i < channels.Length; i++)
            {
                using var _ = b.Scope($"up_blocks.{i}");
                var output = channels[^(i + 1)];
                for (var j = 0; j <= s.LayersPerBlock; j++)
                {
                    h = w.SpatioTemporalResBlock($"resnets.{j}", h, current, output, video, 1e-6f, 1e-5f);
                    current = output;
                }
                if (i < channels.Length - 1)
                {
                    h = w.Upsample(h, current);
                }
            }
            h = w.SiLU("conv_act", w.GroupNorm("conv_norm_out", h, current, 4, 1e-6f));
            h = w.Conv2d("conv_out", h, current, 3, 3);

            // (B*F, 3, H, W) -> (B, F, 3, H, W) -> (B, 3, F, H, W) -> Conv3d (3, 1, 1) -> back to (B*F, 3, H, W)
            var (batchFrames, c, height, width) = (w.Dim(h, 0), w.Dim(h, 1), w.Dim(h, 2), w.Dim(h, 3));
            var batch = b.Div(batchFrames, frames);
            var h5 = b.Transpose(w.Reshape(b.Unsqueeze(h, 0), batch, frames, c, height, width), 0, 2, 1, 3, 4);
            h5 = w.TemporalConv("time_conv_out", h5, 3, 3);
            h = w.Reshape(b.Transpose(h5, 0, 2, 1, 3, 4), batchFrames, c, height, width);
        }
        b.Output(w.ToBoundary(h, OnnxElementType.Float), "sample", "batch_frames", 3, "pixel_height", "pixel_width");
        return b.Build();
    }
}
