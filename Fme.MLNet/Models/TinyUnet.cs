using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// The tiny UNetSpatioTemporalConditionModel. Inputs <c>sample</c> [batch, num_frames, 8, height, width],
/// <c>timestep</c> [1] float32, <c>encoder_hidden_states</c> [batch, 1, D], <c>added_time_ids</c> [batch, 3];
/// output <c>out_sample</c> (or <c>latent</c> in the TensorRT layout) [batch, num_frames, 4, height, width].
/// </summary>
internal static class TinyUnet
{
    public static OnnxModel Build(TinySvdOptions options, SeededWeights weights, ExternalWeights? external = null)
    {
        var tensorRt = options.UnetLayout == TinyUnetLayout.TensorRt;
        var compute = tensorRt ? OnnxElementType.Float16 : SvdGraphWriter.ComputeType(options);
        var boundary = tensorRt ? OnnxElementType.Float16 : OnnxElementType.Float;
        var w = SvdGraphWriter.Create("unet", compute, weights, external);
        var b = w.B;
        var s = options.Sizes;
        var (channels, heads) = (s.UnetChannels, s.UnetHeads);
        var (timeDim, crossDim, idDim) = (s.TimeEmbedDim, s.CrossAttentionDim, s.AdditionTimeEmbedDim);

        var sample = w.ToCompute(b.Input("sample", boundary, "batch", "num_frames", s.UnetInChannels, "height", "width"));
        var timestep = b.Input("timestep", OnnxElementType.Float, 1);
        var encoderStates = w.ToCompute(b.Input("encoder_hidden_states", boundary, "batch", 1, crossDim));
        var addedTimeIds = b.Input("added_time_ids", boundary, "batch", s.AddedTimeIds);
        var (batch, frames) = (w.Dim(sample, 0), w.Dim(sample, 1));

        // Time embedding of t broadcast to the batch, plus the embedding of the 3 added ids (each its own sinusoid).
        var emb = w.TimestepEmbedding("time_embedding", w.Timesteps("time_proj", b.Expand(timestep, w.ShapeOf(batch)), channels[0]),
            channels[0], timeDim, timeDim);
        var ids = w.Reshape(w.Timesteps("add_time_proj", b.Reshape(addedTimeIds, -1), idDim), batch, -1);
        emb = b.Add(emb, w.TimestepEmbedding("add_embedding", ids, s.AddedTimeIds * idDim, timeDim, timeDim));

        // (B, F, C, h, w) -> (B*F, C, h, w); embeddings and encoder states repeated per frame.
        var x = w.Reshape(sample, w.Times(batch, frames), w.Dim(sample, 2), w.Dim(sample, 3), w.Dim(sample, 4));
        var video = new VideoContext(frames, AlphaBlend.LearnedWithImages,
            Indicator: b.ConstantOfShape(w.ShapeOf(batch, frames), 0f, compute),
            TimeEmbedding: w.RepeatInterleave(emb, frames, 2), TimeEmbeddingDim: timeDim,
            EncoderStates: w.RepeatInterleave(encoderStates, frames, 3), CrossAttentionDim: crossDim);

        var h = w.Conv2d("conv_in", x, s.UnetInChannels, channels[0], 3);
        var skips = new Stack<(GraphValue Value, long Channels)>();
        skips.Push((h, channels[0]));
        var current = channels[0];
        for (var i = 0; i < channels.Length; i++)
        {
            using var _ = b.Scope($"down_blocks.{i}");
            var crossAttention = i < channels.Length - 1;
            for (var j = 0; j < s.LayersPerBlock; j++)
            {
                var eps = crossAttention ? 1e-6f : 1e-5f;
                h = w.SpatioTemporalResBlock($"resnets.{j}", h, current, channels[i], video, eps, eps);
                current = channels[i];
                if (crossAttention)
                {
                    h = w.TransformerSpatioTemporal($"attentions.{j}", h, current, heads[i], video);
                }
                skips.Push((h, current));
            }
            if (i < channels.Length - 1)
            {
                h = w.Downsample(h, current);
                skips.Push((h, current));
            }
        }

        using (b.Scope("mid_block"))
        {
            h = w.SpatioTemporalResBlock("resnets.0", h, current, current, video, 1e-5f, 1e-5f);
            h = w.TransformerSpatioTemporal("attentions.0", h, current, heads[^1], video);
            h = w.SpatioTemporalResBlock("resnets.1", h, current, current, video, 1e-5f, 1e-5f);
        }

        for (var i = 0; i < channels.Length; i++)
        {
            using var _ = b.Scope($"up_blocks.{i}");
            var output = channels[^(i + 1)];
            for (var j = 0; j <= s.LayersPerBlock; j++)
            {
                var (skip, skipChannels) = skips.Pop();
                h = b.Concat(1, h, skip);
                h = w.SpatioTemporalResBlock($"resnets.{j}", h, current + skipChannels, output, video, 1e-6f, 1e-6f);
                current = output;
                if (i > 0)
                {
                    h = w.TransformerSpatioTemporal($"attentions.{j}", h, current, heads[^(i + 1)], video);
                }
            }
            if (i < channels.Length - 1)
            {
                h = w.Upsample(h, current);
            }
        }

        h = w.SiLU("conv_act", w.GroupNorm("conv_norm_out", h, current, 4, 1e-5f));
        h = w.Conv2d("conv_out", h, current, s.LatentChannels, 3);
        // (B*F, 4, h, w) -> (B, F, 4, h, w)
        h = w.Reshape(h, batch, frames, w.Dim(h, 1), w.Dim(h, 2), w.Dim(h, 3));
        b.Output(w.ToBoundary(h, boundary), tensorRt ? "latent" : "out_sample", "batch", "num_frames", s.LatentChannels, "height", "width");
        return b.Build();
    }
}
