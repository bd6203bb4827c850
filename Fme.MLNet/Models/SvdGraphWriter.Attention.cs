using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>Module names of an attention layer's projections.</summary>
internal sealed record AttentionNames(string Query, string Key, string Value, string Out)
{
    /// <summary>diffusers' Attention.</summary>
    public static AttentionNames Diffusers { get; } = new("to_q", "to_k", "to_v", "to_out.0");

    /// <summary>transformers' CLIPAttention.</summary>
    public static AttentionNames Clip { get; } = new("q_proj", "k_proj", "v_proj", "out_proj");
}

// Attention, feed-forward and the transformer blocks.
internal sealed partial class SvdGraphWriter
{
    /// <summary>
    /// Multi-head attention in the current scope, as AttnProcessor2_0 is exported: q/k/v projections, heads split by a
    /// reshape to (batch, -1, heads, inner / heads) computed from Shape, then Transpose; scaled dot-product attention;
    /// heads merged; output projection with bias.
    /// </summary>
    public GraphValue AttentionCore(GraphValue x, GraphValue? context, long queryDim, long contextDim, long heads, bool qkvBias,
        AttentionNames names)
    {
        var source = context ?? x;
        var q = Linear(names.Query, x, queryDim, queryDim, qkvBias);
        var k = Linear(names.Key, source, contextDim, queryDim, qkvBias);
        var v = Linear(names.Value, source, contextDim, queryDim, qkvBias);
        var batch = Dim(source, 0);
        var headDim = B.Div(Dim(k, -1), B.Constant([heads], scalar: true));
        GraphValue Split(GraphValue t) => B.Transpose(Reshape(t, batch, -1, heads, headDim), 0, 2, 1, 3);
        var o = B.ScaledDotProductAttention(Split(q), Split(k), Split(v));
        o = Reshape(B.Transpose(o, 0, 2, 1, 3), batch, -1, Times(B.Constant([heads], scalar: true), headDim));
        return Linear(names.Out, o, queryDim, queryDim);
    }

    /// <summary>diffusers' Attention module (no q/k/v bias) on (N, S, C), self-attention when <paramref name="context"/> is null.</summary>
    public GraphValue Attention(string name, GraphValue x, GraphValue? context, long queryDim, long contextDim, long heads)
    {
        using var _ = B.Scope(name);
        return AttentionCore(x, context, queryDim, contextDim, heads, false, AttentionNames.Diffusers);
    }

    /// <summary>
    /// The VAE's single-head attention on (B, C, H, W): to (B, HW, C), GroupNorm over channels (on (B, C, HW)),
    /// attention with biased projections, back to (B, C, H, W), plus the residual, divided by rescale_output_factor (1).
    /// </summary>
    public GraphValue VaeAttention(string name, GraphValue x, long channels)
    {
        using var _ = B.Scope(name);
        var (batch, c, height, width) = (Dim(x, 0), Dim(x, 1), Dim(x, 2), Dim(x, 3));
        var tokens = B.Transpose(Reshape(x, batch, c, Times(height, width)), 0, 2, 1);
        tokens = B.Transpose(GroupNorm("group_norm", B.Transpose(tokens, 0, 2, 1), channels, 3, 1e-6f), 0, 2, 1);
        var o = AttentionCore(tokens, null, channels, channels, 1, true, AttentionNames.Diffusers);
        o = Reshape(B.Transpose(o, 0, 2, 1), batch, c, height, width);
        return B.Div(B.Add(o, x), Scalar(1f));
    }

    /// <summary>FeedForward with GEGLU: proj to 2 x 4C, split, h * gelu(gate), then 4C -> out.</summary>
    public GraphValue FeedForward(string name, GraphValue x, long dim, long outDim)
    {
        using var _ = B.Scope(name);
        var inner = 4 * dim;
        GraphValue h;
        using (B.Scope("net.0"))
        {
            var parts = B.Split(Linear("proj", x, dim, 2 * inner), -1, [inner, inner]);
            h = B.Mul(parts[0], B.Gelu(parts[1]));
        }
        return Linear("net.2", h, inner, outDim);
    }

    /// <summary>BasicTransformerBlock: LN -> self-attention, LN -> cross-attention, LN -> GEGLU feed-forward, each residual.</summary>
    public GraphValue BasicTransformerBlock(string name, GraphValue x, GraphValue context, long dim, long heads, long contextDim)
    {
        using var _ = B.Scope(name);
        x = B.Add(Attention("attn1", LayerNorm("norm1", x, dim), null, dim, dim, heads), x);
        x = B.Add(Attention("attn2", LayerNorm("norm2", x, dim), context, dim, contextDim, heads), x);
        return B.Add(FeedForward("ff", LayerNorm("norm3", x, dim), dim, dim), x);
    }

    /// <summary>
    /// TemporalBasicTransformerBlock on (B*F, S, C): regrouped to (B*S, F, C); LN -> GEGLU ff_in + residual;
    /// self-attention over frames; cross-attention to <paramref name="timeContext"/> (B*S, 1, D); LN -> ff; back to (B*F, S, C).
    /// </summary>
    public GraphValue TemporalBasicTransformerBlock(string name, GraphValue x, GraphValue frames, GraphValue timeContext,
        long dim, long heads, long contextDim)
    {
        using var _ = B.Scope(name);
        var (batchFrames, sequence, channels) = (Dim(x, 0), Dim(x, 1), Dim(x, 2));
        var batch = B.Div(batchFrames, frames);
        // (B*F, S, C) -> (B, F, S, C) -> (B, S, F, C) -> (B*S, F, C)
        var h = B.Transpose(Reshape(B.Unsqueeze(x, 0), batch, frames, sequence, channels), 0, 2, 1, 3);
        h = Reshape(h, Times(batch, sequence), frames, channels);
        h = B.Add(FeedForward("ff_in", LayerNorm("norm_in", h, dim), dim, dim), h);
        h = B.Add(Attention("attn1", LayerNorm("norm1", h, dim), null, dim, dim, heads), h);
        h = B.Add(Attention("attn2", LayerNorm("norm2", h, dim), timeContext, dim, contextDim, heads), h);
        h = B.Add(FeedForward("ff", LayerNorm("norm3", h, dim), dim, dim), h);
        // (B*S, F, C) -> (B, S, F, C) -> (B, F, S, C) -> (B*F, S, C)
        h = B.Transpose(Reshape(B.Unsqueeze(h, 0), batch, sequence, frames, channels), 0, 2, 1, 3);
        return Reshape(h, Times(batch, frames), sequence, channels);
    }
}
