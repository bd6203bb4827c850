using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

// TransformerSpatioTemporalModel.
internal sealed partial class SvdGraphWriter
{
    /// <summary>
    /// TransformerSpatioTemporalModel on (B*F, C, H, W): GN(32, 1e-6) -> (B*F, HW, C) -> proj_in -> BasicTransformerBlock;
    /// the temporal branch adds time_pos_embed(sinusoid of the frame index) and runs a TemporalBasicTransformerBlock
    /// whose cross-attention sees each video's first-frame encoder state; an AlphaBlender mixes the branches;
    /// proj_out -> (B*F, C, H, W) -> + residual.
    /// </summary>
    public GraphValue TransformerSpatioTemporal(string name, GraphValue x, long channels, long heads, VideoContext video)
    {
        using var _ = B.Scope(name);
        var context = video.EncoderStates ?? throw new InvalidOperationException("The transformer needs encoder states.");
        var (batchFrames, height, width) = (Dim(x, 0), Dim(x, 2), Dim(x, 3));
        var batch = B.Div(batchFrames, video.Frames);
        var pixels = Times(height, width);

        // time_context: (B*F, 1, D) -> (B, F, 1, D) -> first frame (B, 1, D) -> (B, HW, 1, D) -> (B*HW, 1, D)
        var (contextLength, contextDim) = (Dim(context, -2), Dim(context, -1));
        var perVideo = Reshape(B.Unsqueeze(context, 0), batch, video.Frames, -1, contextDim);
        var first = B.Gather(perVideo, 0, axis: 1);
        var spread = B.Expand(B.Unsqueeze(first, 1), ShapeOf(batch, pixels, contextLength, contextDim));
        var timeContext = Reshape(spread, Times(batch, pixels), -1, contextDim);

        // (B*F, C, H, W) -> (B*F, H, W, C) -> (B*F, HW, C)
        var h = GroupNorm("norm", x, channels, 4, 1e-6f);
        var inner = Dim(h, 1);
        h = Reshape(B.Transpose(h, 0, 2, 3, 1), batchFrames, pixels, inner);
        h = Linear("proj_in", h, channels, channels);

        // Frame index 0..F-1 for every video: arange(F).repeat(B, 1).reshape(-1) -> sinusoid -> time_pos_embed -> (B*F, 1, C).
        var frameIndex = B.Range(B.Constant([0], scalar: true), video.Frames, B.Constant([1], scalar: true));
        frameIndex = B.Reshape(B.Tile(B.Unsqueeze(frameIndex, 0), ShapeOf(batch, 1)), -1);
        var frameEmbedding = Timesteps("time_proj", frameIndex, channels);
        frameEmbedding = B.Unsqueeze(TimestepEmbedding("time_pos_embed", frameEmbedding, channels, 4 * channels, channels), 1);

        h = BasicTransformerBlock("transformer_blocks.0", h, context, channels, heads, video.CrossAttentionDim);
        var temporal = B.Add(h, frameEmbedding);
        temporal = TemporalBasicTransformerBlock("temporal_transformer_blocks.0", temporal, video.Frames, timeContext,
            channels, heads, video.CrossAttentionDim);
        h = AlphaBlender("time_mixer", h, temporal, 3, video);
        h = Linear("proj_out", h, channels, channels);

        // (B*F, HW, C) -> (B*F, H, W, C) -> (B*F, C, H, W)
        h = B.Transpose(Reshape(h, batchFrames, height, width, inner), 0, 3, 1, 2);
        return B.Add(h, x);
    }
}
