using System.Runtime.InteropServices;
using Fme.MLNet.Onnx;

namespace Fme.MLNet.Models;

/// <summary>
/// Writes diffusers' modules as a TorchScript export lays them out: nodes and weights named after the module path,
/// reshape targets computed at run time from Shape, weights drawn from <see cref="SeededWeights"/> by name.
/// The partial files hold the layers, the resnet blocks and the attention blocks.
/// </summary>
internal sealed partial class SvdGraphWriter(GraphBuilder builder, OnnxElementType computeType, SeededWeights weights,
    ExternalWeights? external = null)
{
    /// <summary>Standard deviation of biases and of norm shifts: small, never zero, so every path matters.</summary>
    private const double BiasStd = 0.1;

    /// <summary>A writer for a new graph that records symbolic shapes, as exports carry them.</summary>
    public static SvdGraphWriter Create(string graphName, OnnxElementType computeType, SeededWeights weights,
        ExternalWeights? external = null) =>
        new(new GraphBuilder(graphName) { RecordShapes = true }, computeType, weights, external);

    /// <summary>The compute type of a network whose boundary is float32: float16 when the options ask for it.</summary>
    public static OnnxElementType ComputeType(TinySvdOptions options) => options.Float16 ? OnnxElementType.Float16 : OnnxElementType.Float;

    /// <summary>The builder written to.</summary>
    public GraphBuilder B { get; } = builder;

    /// <summary>Element type of weights and arithmetic.</summary>
    public OnnxElementType T { get; } = computeType;

    /// <summary>A weight of the current module, named <c>module.path.suffix</c>.</summary>
    public GraphValue Param(string suffix, long[] dims, double std, double mean = 0)
    {
        var path = B.ScopePath.TrimStart('/').Replace('/', '.');
        var name = path.Length == 0 ? suffix : $"{path}.{suffix}";
        var count = dims.Aggregate(1L, (a, d) => a * d);
        if (external is not null && count > ExternalWeights.InlineElements)
        {
            return ExternalParam(external, name, dims, count, std, mean);
        }
        var values = weights.Normal(name, count, std, mean);
        return T == OnnxElementType.Float16
            ? B.Initializer(name, Array.ConvertAll(values, v => (Half)v), dims)
            : B.Initializer(name, values, dims);
    }

    private GraphValue ExternalParam(ExternalWeights store, string name, long[] dims, long count, double std, double mean)
    {
        var length = count * (T == OnnxElementType.Float16 ? 2 : 4);
        ExternalDataReference reference;
        if (!store.WritesValues)
        {
            reference = store.Append([], length);
        }
        else if (T == OnnxElementType.Float16)
        {
            var halves = Array.ConvertAll(weights.Normal(name, count, std, mean), v => (Half)v);
            reference = store.Append(MemoryMarshal.AsBytes(halves.AsSpan()), length);
        }
        else
        {
            reference = store.Append(MemoryMarshal.AsBytes(weights.Normal(name, count, std, mean).AsSpan()), length);
        }
        return B.ExternalInitializer(name, T, dims, reference);
    }

    /// <summary>A bias-like weight (small random values).</summary>
    public GraphValue Bias(string suffix, params long[] dims) => Param(suffix, dims, BiasStd);

    /// <summary>A scale-like weight (random values around one).</summary>
    public GraphValue Gain(string suffix, params long[] dims) => Param(suffix, dims, BiasStd, 1.0);

    /// <summary>Casts a boundary tensor to the compute type where they differ.</summary>
    public GraphValue ToCompute(GraphValue x) => x.ElementType == T ? x : B.Cast(x, T);

    /// <summary>Casts a result to the boundary type where they differ.</summary>
    public GraphValue ToBoundary(GraphValue x, OnnxElementType boundary) => x.ElementType == boundary ? x : B.Cast(x, boundary);

    /// <summary>A scalar of the compute type.</summary>
    public GraphValue Scalar(float value) => B.ConstantFloat([value], T);

    /// <summary>One dimension of a tensor's run-time shape, as an int64 scalar (Shape -> Gather).</summary>
    public GraphValue Dim(GraphValue x, long axis) => B.Gather(B.Shape(x), axis);

    /// <summary>A run-time shape tensor from scalar dimensions and literals (Unsqueeze each, then Concat).</summary>
    public GraphValue ShapeOf(params DimExpr[] parts) =>
        B.Concat(0, parts.Select(p => p.Value is { } v ? B.Unsqueeze(v, 0) : B.Constant([p.Literal])).ToArray());

    /// <summary>Product of two int64 scalars.</summary>
    public GraphValue Times(GraphValue a, GraphValue b) => B.Mul(a, b);

    /// <summary>Reshape to a run-time target.</summary>
    public GraphValue Reshape(GraphValue x, params DimExpr[] parts) => B.Reshape(x, ShapeOf(parts));

    /// <summary>SiLU inside a named activation module (diffusers' <c>act</c> / <c>nonlinearity</c>).</summary>
    public GraphValue SiLU(string name, GraphValue x)
    {
        using var _ = B.Scope(name);
        return B.SiLU(x);
    }

    /// <summary>
    /// <c>x.repeat_interleave(repeats, dim=0)</c> as the exporter writes it for one repeat count:
    /// Unsqueeze(1) -> Tile(1, r, 1, ...) -> Reshape(B * r, rest of the shape).
    /// </summary>
    public GraphValue RepeatInterleave(GraphValue x, GraphValue repeats, int rank)
    {
        var tiles = new DimExpr[rank + 1];
        tiles[0] = 1;
        tiles[1] = repeats;
        for (var i = 2; i <= rank; i++)
        {
            tiles[i] = 1;
        }
        var tiled = B.Tile(B.Unsqueeze(x, 1), ShapeOf(tiles));
        var rest = B.Slice(B.Shape(x), [1], [long.MaxValue], [0]);
        return B.Reshape(tiled, B.Concat(0, B.Unsqueeze(Times(Dim(x, 0), repeats), 0), rest));
    }
}

/// <summary>One entry of a run-time shape: an int64 scalar tensor or a literal.</summary>
internal readonly record struct DimExpr(GraphValue? Value, long Literal)
{
    /// <summary>A literal entry (-1 infers, 0 keeps, as Reshape reads them).</summary>
    public static implicit operator DimExpr(long literal) => new(null, literal);

    /// <summary>A computed entry.</summary>
    public static implicit operator DimExpr(GraphValue value) => new(value, 0);
}
