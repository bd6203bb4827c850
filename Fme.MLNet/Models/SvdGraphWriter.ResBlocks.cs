using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>How an AlphaBlender computes its spatial weight a in out = a * spatial + (1 - a) * temporal.</summary>
internal enum AlphaBlend
{
    /// <summary>UNet, "learned_with_images": a = where(image_only_indicator, 1, sigmoid(mix_factor)).</summary>
    LearnedWithImages,

    /// <summary>Temporal decoder, "learned" with switch_spatial_to_temporal_mix: a = 1 - sigmoid(mix_factor).</summary>
    LearnedSwitched,
}

/// <summary>
/// What the video layers of one network share: the frame count F as an int64 scalar, the image-only indicator (B, F),
/// the per-frame time embedding (B*F, E), the per-frame encoder states (B*F, 1, D), and the blend rule.
/// </summary>
internal sealed record VideoContext(
    GraphValue Frames,
    AlphaBlend Blend,
    GraphValue? Indicator = null,
    GraphValue? TimeEmbedding = null,
    long TimeEmbeddingDim = 0,
    GraphValue? EncoderStates = null,
    long CrossAttentionDim = 0);

// Resnet blocks: ResnetBlock2D, TemporalResnetBlock, SpatioTemporalResBlock and the AlphaBlender.
internal sealed partial class SvdGraphWriter
{
    /// <summary>
    /// ResnetBlock2D on (N, C, H, W): GN -> SiLU -> conv3x3 [+ Linear(SiLU(temb))] -> GN -> SiLU -> conv3x3, a 1x1
    /// shortcut when channels change, then (x + h) / output_scale_factor (1).
    /// </summary>
    public GraphValue ResnetBlock2D(string name, GraphValue x, long inChannels, long outChannels, float epsilon,
        GraphValue? temb = null, long tembDim = 0)
    {
        using var _ = B.Scope(name);
        var h = Conv2d("conv1", SiLU("nonlinearity", GroupNorm("norm1", x, inChannels, 4, epsilon)), inChannels, outChannels, 3);
        if (temb is { } t)
        {
            var projected = Linear("time_emb_proj", SiLU("nonlinearity", t), tembDim, outChannels);
            h = B.Add(h, B.Unsqueeze(projected, 2, 3));
        }
        h = Conv2d("conv2", SiLU("nonlinearity", GroupNorm("norm2", h, outChannels, 4, epsilon)), outChannels, outChannels, 3);
        var shortcut = inChannels == outChannels ? x : Conv2d("conv_shortcut", x, inChannels, outChannels, 1);
        return B.Div(B.Add(shortcut, h), Scalar(1f));
    }

    /// <summary>
    /// TemporalResnetBlock on (B, C, F, H, W): its GroupNorm statistics span F, H and W; Conv3d (3, 1, 1); the time
    /// embedding (B, F, E) is projected and added per frame.
    /// </summary>
    public GraphValue TemporalResnetBlock(string name, GraphValue x, long channels, float epsilon, GraphValue? temb, long tembDim)
    {
        using var _ = B.Scope(name);
        var h = TemporalConv("conv1", SiLU("nonlinearity", GroupNorm("norm1", x, channels, 5, epsilon)), channels, channels);
        if (temb is { } t)
        {
            // (B, F, E) -> (B, F, C) -> (B, F, C, 1, 1) -> (B, C, F, 1, 1)
            var projected = Linear("time_emb_proj", SiLU("nonlinearity", t), tembDim, channels);
            h = B.Add(h, B.Transpose(B.Unsqueeze(projected, 3, 4), 0, 2, 1, 3, 4));
        }
        h = TemporalConv("conv2", SiLU("nonlinearity", GroupNorm("norm2", h, channels, 5, epsilon)), channels, channels);
        return B.Add(x, h);
    }

    /// <summary>
    /// SpatioTemporalResBlock: ResnetBlock2D on (B*F, C, H, W), then (B, C, F, H, W) through a TemporalResnetBlock,
    /// mixed with the spatial result by an AlphaBlender, and back to (B*F, C, H, W).
    /// </summary>
    public GraphValue SpatioTemporalResBlock(string name, GraphValue x, long inChannels, long outChannels, VideoContext video,
        float epsilon, float temporalEpsilon)
    {
        using var _ = B.Scope(name);
        var h = ResnetBlock2D("spatial_res_block", x, inChannels, outChannels, epsilon, video.TimeEmbedding, video.TimeEmbeddingDim);
        var (batchFrames, channels, height, width) = (Dim(h, 0), Dim(h, 1), Dim(h, 2), Dim(h, 3));
        var batch = B.Div(batchFrames, video.Frames);
        // (B*F, C, H, W) -> (B, F, C, H, W) -> (B, C, F, H, W)
        var h5 = B.Transpose(Reshape(B.Unsqueeze(h, 0), batch, video.Frames, channels, height, width), 0, 2, 1, 3, 4);
        var temb = video.TimeEmbedding is { } e ? Reshape(e, batch, video.Frames, -1) : (GraphValue?)null;
        var temporal = TemporalResnetBlock("temporal_res_block", h5, outChannels, temporalEpsilon, temb, video.TimeEmbeddingDim);
        var mixed = AlphaBlender("time_mixer", h5, temporal, 5, video);
        return Reshape(B.Transpose(mixed, 0, 2, 1, 3, 4), batchFrames, channels, height, width);
    }

    /// <summary>
    /// AlphaBlender: out = a * spatial + (1 - a) * temporal, a from a random (non-zero) mix_factor. For rank 5 inputs
    /// (B, C, F, H, W) a is shaped (B, 1, F, 1, 1); for rank 3 inputs (B*F, S, C), (B*F, 1, 1).
    /// </summary>
    public GraphValue AlphaBlender(string name, GraphValue spatial, GraphValue temporal, int rank, VideoContext video)
    {
        using var _ = B.Scope(name);
        var mix = Param("mix_factor", [1], 1.0);
        GraphValue alpha;
        if (video.Blend == AlphaBlend.LearnedSwitched)
        {
            alpha = B.Sub(Scalar(1f), B.Sigmoid(mix));
        }
        else
        {
            var indicator = video.Indicator ?? throw new InvalidOperationException("learned_with_images blending needs the indicator.");
            var ones = B.ConstantFloat([1f], T, 1, 1);
            alpha = B.Where(B.Cast(indicator, OnnxElementType.Bool), ones, B.Unsqueeze(B.Sigmoid(mix), -1));
            alpha = rank == 5 ? B.Unsqueeze(alpha, 1, 3, 4) : B.Unsqueeze(B.Reshape(alpha, -1), 1, 2);
        }
        return B.Add(B.Mul(alpha, spatial), B.Mul(B.Sub(Scalar(1f), alpha), temporal));
    }
}
