namespace Fme.MLNet.Onnx;

// Layers written as the operator patterns a TorchScript export of PyTorch modules produces.
public sealed partial class GraphBuilder
{
    /// <summary>A scalar constant of <paramref name="like"/>'s element type.</summary>
    public GraphValue Scalar(float value, GraphValue like) => ConstantFloat([value], like.ElementType);

    /// <summary>SiLU as exported: x * Sigmoid(x).</summary>
    public GraphValue SiLU(GraphValue x) => Mul(x, Sigmoid(x));

    /// <summary>Exact GELU as exported at opset 17: x * 0.5 * (1 + erf(x / sqrt(2))).</summary>
    public GraphValue Gelu(GraphValue x)
    {
        var e = Erf(Div(x, Scalar(MathF.Sqrt(2f), x)));
        return Mul(Mul(x, Add(e, Scalar(1f, x))), Scalar(0.5f, x));
    }

    /// <summary>
    /// GroupNorm as TorchScript exports it: Reshape(x, [0, G, -1]) -> InstanceNormalization (unit scale, zero bias)
    /// -> Reshape(Shape(x)) -> Mul(gamma) -> Add(beta), with gamma and beta shaped [C, 1, ...] for broadcasting.
    /// </summary>
    /// <param name="x">Input of rank 3 or more, channels on axis 1.</param>
    /// <param name="groups">Number of groups G.</param>
    /// <param name="gamma">Per-channel scale, shape [C, 1, ..., 1] (rank of x minus 1).</param>
    /// <param name="beta">Per-channel shift, same shape.</param>
    /// <param name="epsilon">Variance epsilon.</param>
    public GraphValue GroupNorm(GraphValue x, long groups, GraphValue gamma, GraphValue beta, float epsilon)
    {
        var grouped = Reshape(x, 0, groups, -1);
        var ones = InitializerLike($"{ScopePath}/onnx::InstanceNormalization_scale", groups, 1f, x.ElementType);
        var zeros = InitializerLike($"{ScopePath}/onnx::InstanceNormalization_bias", groups, 0f, x.ElementType);
        var normalized = InstanceNormalization(grouped, ones, zeros, epsilon);
        var restored = Reshape(normalized, Shape(x));
        return Add(Mul(restored, gamma), beta);
    }

    /// <summary>A linear layer as exported from nn.Linear on a tensor of rank 3 or more: MatMul(x, Wt) + b.</summary>
    /// <param name="x">Input [..., in].</param>
    /// <param name="weightTransposed">Weight stored transposed, [in, out].</param>
    /// <param name="bias">Bias [out], or null.</param>
    public GraphValue Linear(GraphValue x, GraphValue weightTransposed, GraphValue? bias)
    {
        var y = MatMul(x, weightTransposed);
        return bias is { } b ? Add(b, y) : y;
    }

    /// <summary>
    /// Scaled dot-product attention on [batch, heads, length, head_dim] tensors, written as TorchScript decomposes it
    /// at opset 17: the scale 1/sqrt(head_dim) is computed from Shape(q), then MatMul, Softmax, MatMul.
    /// </summary>
    public GraphValue ScaledDotProductAttention(GraphValue q, GraphValue k, GraphValue v)
    {
        var headDim = Cast(Slice(Shape(q), [-1], [long.MaxValue], [0]), q.ElementType);
        var scale = Div(Scalar(1f, q), Sqrt(headDim));
        var sqrtScale = Sqrt(scale);
        var kt = Transpose(k, 0, 1, 3, 2);
        var scores = MatMul(Mul(q, sqrtScale), Mul(kt, sqrtScale));
        return MatMul(Softmax(scores, -1), v);
    }

    private GraphValue InitializerLike(string name, long count, float value, OnnxElementType type)
    {
        var unique = name;
        for (var i = 1; _names.Contains(unique); i++)
        {
            unique = $"{name}_{i}";
        }
        var values = Enumerable.Repeat(value, checked((int)count)).ToArray();
        return type == OnnxElementType.Float16
            ? Initializer(unique, Array.ConvertAll(values, v => (Half)v), count)
            : Initializer(unique, values, count);
    }
}
