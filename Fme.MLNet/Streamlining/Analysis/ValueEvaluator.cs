using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// Computes the values of small tensors that depend only on constants and shapes (shape-computation chains), so
/// Reshape targets, Slice bounds and similar inputs are known when planning. Returns null where an operator is not
/// covered or an input is data; such nodes then simply run as part of the model.
/// </summary>
internal static class ValueEvaluator
{
    /// <summary>Largest tensor (in elements) worth folding to a constant.</summary>
    public const int MaxElements = 4096;

    /// <summary>
    /// The value of a node's single output, when its rule in <see cref="OperatorRegistry"/> can compute it. A floating-point
    /// result is folded only where the float operation is correctly rounded (+, -, *, /, sqrt, moves): then the folded
    /// constant is bit for bit what ONNX Runtime computes, and the executor's sub-models keep a plain run's numbers.
    /// </summary>
    public static KnownValue? TryEvaluate(NodeContext c, TensorInfo output)
    {
        if (output.Elements > MaxElements || output.Type == OnnxElementType.String ||
            OperatorRegistry.Find(c.Node) is not { Value: { } rule } entry)
        {
            return null;
        }
        if (OnnxElementTypes.IsFloatingPoint(output.Type) && !entry.FoldsFloatExactly)
        {
            return null;
        }
        if (!entry.ValueFromShapes && (c.Values.Length == 0 || c.Values.Where((v, i) => c.Node.Inputs[i].Length > 0).Any(v => v is null)))
        {
            return null;
        }
        return rule(c, output);
    }

    public static KnownValue ShapeOf(NodeContext c, TensorInfo output)
    {
        var range = OperatorShapes.ShapeRange(c);
        var first = FindStart(c.In(0).Dims, c);
        var sources = range.Select((_, i) => (IReadOnlySet<(string, int)>)new HashSet<(string, int)> { (c.Node.Inputs[0], first + i) }).ToArray();
        return KnownValue.Integers(OnnxElementType.Int64, [range.Length], range, sources);
    }

    public static KnownValue SizeOf(NodeContext c, TensorInfo output)
    {
        var all = new HashSet<(string, int)>(Enumerable.Range(0, c.In(0).Rank).Select(i => (c.Node.Inputs[0], i)));
        return KnownValue.Integers(OnnxElementType.Int64, [], [c.In(0).Elements], [all]);
    }

    public static KnownValue? ReduceSmall(NodeContext c, TensorInfo output) =>
        c.Values[0]!.Dims.Length <= 1 ? Reduce(c.Values[0]!, output, c.Node.OpType) : null;

    private static int FindStart(long[] dims, NodeContext c)
    {
        var s = c.Node.GetInt("start", 0);
        return (int)Math.Clamp(s < 0 ? s + dims.Length : s, 0, dims.Length);
    }

    private static bool IsInt(OnnxElementType t) => !OnnxElementTypes.IsFloatingPoint(t);

    private static KnownValue Make(TensorInfo output, double[] values, IReadOnlySet<(string, int)>[] sources) =>
        IsInt(output.Type)
            ? KnownValue.Integers(output.Type, output.Dims, values.Select(v => (long)v).ToArray(), sources)
            : KnownValue.Reals(output.Type, output.Dims, values, sources);

    public static KnownValue Relabel(KnownValue v, TensorInfo output) =>
        v.IsInteger ? KnownValue.Integers(output.Type, output.Dims, v.Ints!, v.Sources) : KnownValue.Reals(output.Type, output.Dims, v.Floats!, v.Sources);

    public static KnownValue FromConstant(NodeContext c, TensorInfo output)
    {
        var n = c.Node;
        if (n.GetTensor("value") is { } t)
        {
            var bytes = t.GetInlineBytes().Span;
            return IsInt(output.Type)
                ? KnownValue.Integers(output.Type, output.Dims, TensorValues.ToInt64(bytes, output.Type))
                : KnownValue.Reals(output.Type, output.Dims, TensorValues.ToFloat(bytes, output.Type).Select(f => (double)f).ToArray());
        }
        if (n.HasAttribute("value_float")) return KnownValue.Reals(output.Type, [], [n.GetFloat("value_float", 0)]);
        if (n.HasAttribute("value_int")) return KnownValue.Integers(output.Type, [], [n.GetInt("value_int", 0)]);
        if (n.GetFloats("value_floats") is { } fs) return KnownValue.Reals(output.Type, output.Dims, fs.Select(f => (double)f).ToArray());
        return KnownValue.Integers(output.Type, output.Dims, n.GetInts("value_ints")!);
    }

    public static KnownValue Cast(KnownValue v, TensorInfo output)
    {
        var values = Enumerable.Range(0, v.Count).Select(i => v[i]).ToArray();
        if (output.Type == OnnxElementType.Float)
        {
            values = values.Select(x => (double)(float)x).ToArray();
        }
        else if (output.Type == OnnxElementType.Float16)
        {
            values = values.Select(x => (double)(Half)x).ToArray();
        }
        else if (output.Type == OnnxElementType.Bool)
        {
            values = values.Select(x => x != 0 ? 1.0 : 0.0).ToArray();
        }
        else if (IsInt(output.Type))
        {
            values = values.Select(Math.Truncate).ToArray();
        }
        return Make(output, values, v.Sources);
    }

    public static KnownValue Gather(NodeContext c, TensorInfo output)
    {
        var data = c.Values[0]!;
        var indices = c.Values[1]!;
        var axis = NodeContext.NormalizeAxis(c.Node.GetInt("axis", 0), data.Dims.Length);
        var outer = OperatorShapes.Product(data.Dims[..axis]);
        var n = data.Dims[axis];
        var inner = OperatorShapes.Product(data.Dims[(axis + 1)..]);
        var values = new List<double>();
        var sources = new List<IReadOnlySet<(string, int)>>();
        for (long o = 0; o < outer; o++)
        {
            for (var k = 0; k < indices.Count; k++)
            {
                var idx = indices.Int(k);
                idx = idx < 0 ? idx + n : idx;
                for (long i = 0; i < inner; i++)
                {
                    var at = (int)((o * n + idx) * inner + i);
                    values.Add(data[at]);
                    sources.Add(data.Sources[at]);
                }
            }
        }
        return Make(output, values.ToArray(), sources.ToArray());
    }

    public static KnownValue Concat(NodeContext c, TensorInfo output)
    {
        var parts = c.Values.Where(v => v is not null).Select(v => v!).ToArray();
        var axis = NodeContext.NormalizeAxis(c.Node.GetInt("axis", 0), output.Rank);
        var outer = OperatorShapes.Product(output.Dims[..axis]);
        var values = new List<double>();
        var sources = new List<IReadOnlySet<(string, int)>>();
        for (long o = 0; o < outer; o++)
        {
            foreach (var p in parts)
            {
                var block = (int)OperatorShapes.Product(p.Dims[axis..]);
                for (var i = 0; i < block; i++)
                {
                    values.Add(p[(int)(o * block + i)]);
                    sources.Add(p.Sources[(int)(o * block + i)]);
                }
            }
        }
        return Make(output, values.ToArray(), sources.ToArray());
    }

    public static KnownValue? Slice(NodeContext c, TensorInfo output)
    {
        var data = c.Values[0]!;
        if (data.Dims.Length != 1)
        {
            return null;
        }
        var (start, step, length) = OperatorShapes.SliceRanges(c)[0];
        var picks = Enumerable.Range(0, (int)length).Select(i => (int)(start + i * step)).ToArray();
        return Make(output, picks.Select(i => data[i]).ToArray(), picks.Select(i => data.Sources[i]).ToArray());
    }

    public static KnownValue ConstantOfShape(NodeContext c, TensorInfo output)
    {
        var fill = 0.0;
        if (c.Node.GetTensor("value") is { } t)
        {
            var bytes = t.GetInlineBytes().Span;
            fill = IsInt(output.Type) ? TensorValues.ToInt64(bytes, output.Type)[0] : TensorValues.ToFloat(bytes, output.Type)[0];
        }
        var all = Union(c.Values[0]!.Sources);
        var count = (int)output.Elements;
        return Make(output, Enumerable.Repeat(fill, count).ToArray(), Enumerable.Repeat(all, count).ToArray());
    }

    public static KnownValue Range(NodeContext c, TensorInfo output)
    {
        var (start, delta) = (c.Values[0]![0], c.Values[2]![0]);
        var all = Union(c.Values.SelectMany(v => v!.Sources));
        var count = (int)output.Elements;
        return Make(output, Enumerable.Range(0, count).Select(i => start + i * delta).ToArray(), Enumerable.Repeat(all, count).ToArray());
    }

    public static KnownValue Elementwise(NodeContext c, TensorInfo output, string op)
    {
        var operands = op == "Expand" ? [c.Values[0]!] : c.Values.Select(v => v!).ToArray();
        var count = (int)output.Elements;
        var values = new double[count];
        var sources = new IReadOnlySet<(string, int)>[count];
        var extra = op == "Expand" ? Union(c.Values[1]!.Sources) : KnownValue.Empty;
        for (var i = 0; i < count; i++)
        {
            var args = operands.Select(v => BroadcastIndex(i, output.Dims, v.Dims)).ToArray();
            var x = operands.Select((v, k) => v[args[k]]).ToArray();
            var integer = IsInt(operands[op == "Where" ? 1 : 0].Type);
            values[i] = op switch
            {
                "Expand" => x[0],
                "Where" => x[0] != 0 ? x[1] : x[2],
                "Add" => x[0] + x[1],
                "Sub" => x[0] - x[1],
                "Mul" => x[0] * x[1],
                "Div" => integer ? Math.Truncate(x[0] / x[1]) : x[0] / x[1],
                "Pow" => Math.Pow(x[0], x[1]),
                "Max" => Math.Max(x[0], x[1]),
                "Min" => Math.Min(x[0], x[1]),
                "Mod" => integer ? x[0] - Math.Floor(x[0] / x[1]) * x[1] : Math.IEEERemainder(x[0], x[1]),
                "Equal" => x[0] == x[1] ? 1 : 0,
                "Less" => x[0] < x[1] ? 1 : 0,
                "Greater" => x[0] > x[1] ? 1 : 0,
                "LessOrEqual" => x[0] <= x[1] ? 1 : 0,
                "GreaterOrEqual" => x[0] >= x[1] ? 1 : 0,
                "And" => x[0] != 0 && x[1] != 0 ? 1 : 0,
                "Or" => x[0] != 0 || x[1] != 0 ? 1 : 0,
                _ => throw new InvalidOperationException(op),
            };
            values[i] = RoundTo(output.Type, values[i]);
            sources[i] = Union(operands.Select((v, k) => v.Sources[args[k]]).Append(extra));
        }
        return Make(output, values, sources);
    }

    public static KnownValue Unary(KnownValue v, TensorInfo output, string op)
    {
        var values = Enumerable.Range(0, v.Count).Select(i => v[i]).Select(x => op switch
        {
            "Neg" => -x,
            "Abs" => Math.Abs(x),
            "Sqrt" => Math.Sqrt(x),
            "Reciprocal" => 1 / x,
            "Floor" => Math.Floor(x),
            "Ceil" => Math.Ceiling(x),
            "Exp" => Math.Exp(x),
            "Log" => Math.Log(x),
            "Sin" => Math.Sin(x),
            "Cos" => Math.Cos(x),
            "Not" => x == 0 ? 1 : 0,
            "Sigmoid" => 1 / (1 + Math.Exp(-x)),
            _ => throw new InvalidOperationException(op),
        }).Select(x => RoundTo(output.Type, x)).ToArray();
        return Make(output, values, v.Sources);
    }

    private static KnownValue Reduce(KnownValue v, TensorInfo output, string op)
    {
        var xs = Enumerable.Range(0, v.Count).Select(i => v[i]).ToArray();
        var value = op switch
        {
            "ReduceProd" => xs.Aggregate(1.0, (a, b) => a * b),
            "ReduceSum" => xs.Sum(),
            "ReduceMax" => xs.Max(),
            _ => xs.Min(),
        };
        return Make(output, [value], [Union(v.Sources)]);
    }

    /// <summary>A result rounded as the output type stores it, so the next operation starts from the same value ONNX Runtime has.</summary>
    private static double RoundTo(OnnxElementType type, double x) => type switch
    {
        OnnxElementType.Float => (float)x,
        OnnxElementType.Float16 => (double)(Half)x,
        _ => x,
    };

    private static int BroadcastIndex(int flat, long[] outDims, long[] inDims)
    {
        var index = 0L;
        var stride = 1L;
        var rem = (long)flat;
        for (var a = outDims.Length - 1; a >= 0; a--)
        {
            var coord = rem % outDims[a];
            rem /= outDims[a];
            var ia = a - (outDims.Length - inDims.Length);
            if (ia >= 0)
            {
                if (inDims[ia] != 1)
                {
                    index += coord * stride;
                }
                stride *= inDims[ia];
            }
        }
        return (int)index;
    }

    private static IReadOnlySet<(string, int)> Union(IEnumerable<IReadOnlySet<(string, int)>> sets)
    {
        var all = new HashSet<(string, int)>();
        foreach (var s in sets)
        {
            all.UnionWith(s);
        }
        return all.Count == 0 ? KnownValue.Empty : all;
    }
}
