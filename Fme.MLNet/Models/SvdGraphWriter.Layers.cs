using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

// Single modules: convolutions, linear layers, norms, sinusoidal embeddings, resampling.
internal sealed partial class SvdGraphWriter
{
    /// <summary>nn.Conv2d with a square kernel; weights scaled 1/sqrt(fan in) so activations stay of order one.</summary>
    public GraphValue Conv2d(string name, GraphValue x, long inChannels, long outChannels, long kernel, long stride = 1,
        long? padding = null, bool bias = true)
    {
        using var _ = B.Scope(name);
        var p = padding ?? kernel / 2;
        var w = Param("weight", [outChannels, inChannels, kernel, kernel], 1 / Math.Sqrt(inChannels * kernel * kernel));
        var b = bias ? Bias("bias", outChannels) : (GraphValue?)null;
        return B.Conv(x, w, b, [kernel, kernel], [stride, stride], [p, p, p, p]);
    }

    /// <summary>nn.Conv3d with kernel (3, 1, 1) and padding (1, 0, 0): a convolution along frames of (B, C, F, H, W).</summary>
    public GraphValue TemporalConv(string name, GraphValue x, long inChannels, long outChannels)
    {
        using var _ = B.Scope(name);
        var w = Param("weight", [outChannels, inChannels, 3, 1, 1], 1 / Math.Sqrt(inChannels * 3));
        return B.Conv(x, w, Bias("bias", outChannels), [3, 1, 1], [1, 1, 1], [1, 0, 0, 1, 0, 0]);
    }

    /// <summary>nn.Linear on the last axis; the weight is held transposed, [in, out], as exports hold it.</summary>
    public GraphValue Linear(string name, GraphValue x, long inFeatures, long outFeatures, bool bias = true)
    {
        using var _ = B.Scope(name);
        var w = Param("weight", [inFeatures, outFeatures], 1 / Math.Sqrt(inFeatures));
        return B.Linear(x, w, bias ? Bias("bias", outFeatures) : null);
    }

    /// <summary>nn.GroupNorm(32) on a tensor of the given rank (channels on axis 1); gamma and beta shaped [C, 1, ...].</summary>
    public GraphValue GroupNorm(string name, GraphValue x, long channels, int rank, float epsilon)
    {
        using var _ = B.Scope(name);
        var dims = new long[rank - 1];
        Array.Fill(dims, 1L);
        dims[0] = channels;
        return B.GroupNorm(x, 32, Gain("weight", dims), Bias("bias", dims), epsilon);
    }

    /// <summary>nn.LayerNorm over the last axis.</summary>
    public GraphValue LayerNorm(string name, GraphValue x, long features, float epsilon = 1e-5f)
    {
        using var _ = B.Scope(name);
        return B.LayerNormalization(x, Gain("weight", features), Bias("bias", features), -1, epsilon);
    }

    /// <summary>
    /// diffusers' Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0) on a 1-D tensor: computed in float32
    /// (the module casts its input with <c>.float()</c>), frequencies exp(-ln(10000) i / (dim/2)) as a folded constant,
    /// [sin, cos] then flipped to [cos, sin], cast to the compute type.
    /// </summary>
    public GraphValue Timesteps(string name, GraphValue t, long dim)
    {
        using var _ = B.Scope(name);
        var half = dim / 2;
        var lnMaxPeriod = PortableMath.Log(10000.0);
        var frequencies = new float[half];
        for (var i = 0; i < half; i++)
        {
            frequencies[i] = (float)PortableMath.Exp(-lnMaxPeriod * i / half);
        }
        var t32 = t.ElementType == OnnxElementType.Float ? t : B.Cast(t, OnnxElementType.Float);
        var arguments = B.Mul(B.Unsqueeze(t32, 1), B.ConstantFloat(frequencies, OnnxElementType.Float, 1, half));
        var emb = B.Concat(-1, B.Sin(arguments), B.Cos(arguments));
        emb = B.Concat(-1, B.Slice(emb, [half], [long.MaxValue], [1]), B.Slice(emb, [0], [half], [1]));
        return ToCompute(emb);
    }

    /// <summary>diffusers' TimestepEmbedding: linear_1 -> SiLU -> linear_2.</summary>
    public GraphValue TimestepEmbedding(string name, GraphValue x, long inDim, long hiddenDim, long outDim)
    {
        using var _ = B.Scope(name);
        var h = Linear("linear_1", x, inDim, hiddenDim);
        return Linear("linear_2", SiLU("act", h), hiddenDim, outDim);
    }

    /// <summary>Downsample2D with a convolution: 3x3, stride 2, padding 1 (UNet).</summary>
    public GraphValue Downsample(GraphValue x, long channels)
    {
        using var _ = B.Scope("downsamplers.0");
        return Conv2d("conv", x, channels, channels, 3, stride: 2);
    }

    /// <summary>
    /// Downsample2D with padding 0 (the VAE encoder): F.pad right and bottom by one, then a 3x3 stride-2 convolution.
    /// </summary>
    public GraphValue DownsamplePadded(GraphValue x, long channels)
    {
        using var _ = B.Scope("downsamplers.0");
        var padded = B.Pad(x, [0, 0, 0, 0, 0, 0, 1, 1]);
        return Conv2d("conv", padded, channels, channels, 3, stride: 2, padding: 0);
    }

    /// <summary>Upsample2D: nearest-neighbour x2 (Resize), then a 3x3 convolution.</summary>
    public GraphValue Upsample(GraphValue x, long channels)
    {
        using var _ = B.Scope("upsamplers.0");
        return Conv2d("conv", B.ResizeNearest(x, [1f, 1f, 2f, 2f]), channels, channels, 3);
    }
}
