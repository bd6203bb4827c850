using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>What the builder knows about a tensor: its shape (null when unknown) and, for small constants and shape
/// arithmetic, its int64 or float contents.</summary>
internal sealed record KnownTensor(SymbolicDim[]? Shape, SymbolicDim[]? Ints = null, float[]? Floats = null);

/// <summary>
/// Symbolic shape inference for the operators the builder writes, one rule per operator, so every tensor of a built
/// graph gets a value_info shape the way a TorchScript export records one. Shape arithmetic (Shape -> Gather ->
/// Mul / Div -> Concat -> Reshape) is followed through its int64 contents. An operator without a rule, or a rule missing
/// an input's facts, leaves its outputs unknown.
/// </summary>
internal static partial class SymbolicShapes
{
    private delegate KnownTensor?[] Rule(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> attributes, int outputs);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        ["Constant"] = Constant,
        ["Identity"] = SameWithContents,
        ["Cast"] = (i, a, o) => Int(a, "to", 0) == (long)OnnxElementType.Int64 ? SameWithContents(i, a, o) : Same(i, a, o),
        ["Sigmoid"] = Same, ["Sin"] = Same, ["Cos"] = Same, ["Erf"] = Same, ["Sqrt"] = Same, ["Exp"] = Same, ["Neg"] = Same,
        ["Tanh"] = Same, ["Relu"] = Same, ["Softmax"] = Same, ["InstanceNormalization"] = Same, ["LayerNormalization"] = Same,
        ["Add"] = (i, _, _) => Arithmetic(i, (p, q) => p + q),
        ["Sub"] = (i, _, _) => Arithmetic(i, (p, q) => p + SymbolicDim.Of(-1) * q),
        ["Mul"] = (i, _, _) => Arithmetic(i, (p, q) => p * q),
        ["Div"] = (i, _, _) => Arithmetic(i, (p, q) => p / q),
        ["Pow"] = Elementwise,
        ["Equal"] = Elementwise, ["Where"] = Elementwise,
        ["Shape"] = ShapeOf, ["Gather"] = Gather, ["Unsqueeze"] = Unsqueeze, ["Squeeze"] = Squeeze, ["Concat"] = Concat,
        ["Slice"] = Slice, ["Reshape"] = Reshape, ["Transpose"] = Transpose, ["MatMul"] = MatMul, ["Conv"] = Conv,
        ["Resize"] = Resize, ["Expand"] = Expand, ["Tile"] = Tile, ["ConstantOfShape"] = ConstantOfShape, ["Range"] = Range,
        ["Split"] = Split, ["Pad"] = Pad,
    };

    /// <summary>Facts about a node's outputs from facts about its inputs (null entries: unknown).</summary>
    public static KnownTensor?[] Infer(string opType, IReadOnlyList<KnownTensor?> inputs, IEnumerable<AttributeProto> attributes, int outputs)
    {
        if (!Rules.TryGetValue(opType, out var rule))
        {
            return new KnownTensor?[outputs];
        }
        var byName = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var a in attributes)
        {
            byName[a.Name] = a;
        }
        var result = rule(inputs, byName, outputs);
        return result.Length == outputs ? result : [.. result, .. new KnownTensor?[outputs - result.Length]];
    }

    /// <summary>Facts about a tensor value: dims, and its contents when int64 or float and small.</summary>
    public static KnownTensor FromTensor(TensorProto t)
    {
        var shape = t.Dims.Select(SymbolicDim.Of).ToArray();
        var count = t.Dims.Aggregate(1L, (a, d) => a * d);
        if (count > 4096 || !t.HasRawData)
        {
            return new KnownTensor(shape);
        }
        var bytes = t.RawData.Span;
        return (OnnxElementType)t.DataType switch
        {
            OnnxElementType.Int64 => new KnownTensor(shape, TensorValues.ToInt64(bytes, OnnxElementType.Int64).Select(SymbolicDim.Of).ToArray()),
            OnnxElementType.Float or OnnxElementType.Float16 => new KnownTensor(shape, null, TensorValues.ToFloat(bytes, (OnnxElementType)t.DataType)),
            _ => new KnownTensor(shape),
        };
    }

    private static KnownTensor?[] One(SymbolicDim[]? shape, SymbolicDim[]? ints = null) =>
        [shape is null ? null : new KnownTensor(shape, ints)];

    private static long Int(IReadOnlyDictionary<string, AttributeProto> a, string name, long fallback) =>
        a.TryGetValue(name, out var v) ? v.I : fallback;

    private static long[]? Ints(IReadOnlyDictionary<string, AttributeProto> a, string name) =>
        a.TryGetValue(name, out var v) ? v.Ints.ToArray() : null;

    /// <summary>The constant int64 contents of an input, or null.</summary>
    private static long[]? ConstantInts(KnownTensor? t) =>
        t?.Ints is { } ints && ints.All(d => d.IsConstant) ? ints.Select(d => d.Coefficient).ToArray() : null;

    private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis);

    private static KnownTensor?[] Constant(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        a.TryGetValue("value", out var v) && v.T is { } t ? [FromTensor(t)] : [null];

    private static KnownTensor?[] Same(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        One(inputs[0]?.Shape);

    private static KnownTensor?[] SameWithContents(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        One(inputs[0]?.Shape, inputs[0]?.Ints);

    private static KnownTensor?[] ShapeOf(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        inputs[0]?.Shape is { } s ? One([SymbolicDim.Of(s.Length)], s) : [null];

    private static KnownTensor?[] Elementwise(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        Arithmetic(inputs, null);

    /// <summary>Broadcast shapes; with <paramref name="op"/>, also the int64 contents (batch * frames, inner / heads).</summary>
    private static KnownTensor?[] Arithmetic(IReadOnlyList<KnownTensor?> inputs, Func<SymbolicDim, SymbolicDim, SymbolicDim>? op)
    {
        if (inputs.Any(i => i?.Shape is null))
        {
            return [null];
        }
        var shape = Broadcast(inputs.Select(i => i!.Shape!).ToArray());
        if (shape is null || op is null || inputs[0]!.Ints is not { } x || inputs[1]!.Ints is not { } y ||
            (x.Length != y.Length && x.Length != 1 && y.Length != 1))
        {
            return One(shape);
        }
        var values = new SymbolicDim[Math.Max(x.Length, y.Length)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = op(x[x.Length == 1 ? 0 : i], y[y.Length == 1 ? 0 : i]);
        }
        return One(shape, values);
    }

    /// <summary>Numpy-style broadcasting of shapes; null when two dimensions differ and neither is 1.</summary>
    private static SymbolicDim[]? Broadcast(SymbolicDim[][] shapes)
    {
        var rank = shapes.Max(s => s.Length);
        var result = new SymbolicDim[rank];
        for (var i = 0; i < rank; i++)
        {
            SymbolicDim? dim = null;
            foreach (var s in shapes)
            {
                var j = i - (rank - s.Length);
                if (j < 0 || (s[j].IsConstant && s[j].Coefficient == 1))
                {
                    continue;
                }
                if (dim is { } d && !d.Equals(s[j]))
                {
                    return null;
                }
                dim = s[j];
            }
            result[i] = dim ?? SymbolicDim.Of(1);
        }
        return result;
    }
}
