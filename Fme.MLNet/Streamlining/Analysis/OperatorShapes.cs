using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// The shape rules of <see cref="OperatorRegistry"/> that need more than a line: concrete output types and shapes from
/// concrete input shapes and the known values of shape inputs.
/// </summary>
internal static class OperatorShapes
{
    private static long Next(System.Collections.IEnumerator e) => e.MoveNext() ? (long)e.Current! : throw new InvalidOperationException();

    public static long Product(IEnumerable<long> dims) => dims.Aggregate(1L, (a, d) => checked(a * d));

    internal static TensorInfo[] Flatten(NodeContext c)
    {
        var d = c.In(0).Dims;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 1), d.Length);
        return [c.In(0) with { Dims = [Product(d[..axis]), Product(d[axis..])] }];
    }

    internal static TensorInfo[] Transpose(NodeContext c)
    {
        var d = c.In(0).Dims;
        var perm = c.Node.GetInts("perm") ?? Enumerable.Range(0, d.Length).Reverse().Select(i => (long)i).ToArray();
        return [c.In(0) with { Dims = perm.Select(p => d[p]).ToArray() }];
    }

    internal static TensorInfo[] Unsqueeze(NodeContext c)
    {
        var axes = c.Opset >= 13 ? c.Ints(1) : c.Node.GetInts("axes")!;
        var rank = c.In(0).Rank + axes.Length;
        var set = axes.Select(a => NodeContext.NormalizeAxis(a, rank)).ToHashSet();
        var source = c.In(0).Dims.GetEnumerator();
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            dims[i] = set.Contains(i) ? 1 : Next(source);
        }
        return [c.In(0) with { Dims = dims }];
    }

    internal static TensorInfo[] Squeeze(NodeContext c)
    {
        var d = c.In(0).Dims;
        long[]? axes = c.Opset >= 13 ? (c.Has(1) ? c.Ints(1) : null) : c.Node.GetInts("axes");
        var set = axes?.Select(a => NodeContext.NormalizeAxis(a, d.Length)).ToHashSet() ??
                  Enumerable.Range(0, d.Length).Where(i => d[i] == 1).ToHashSet();
        return [c.In(0) with { Dims = d.Where((_, i) => !set.Contains(i)).ToArray() }];
    }

    internal static TensorInfo[] Concat(NodeContext c)
    {
        var first = c.Inputs.First(i => i is not null)!;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), first.Rank);
        var dims = (long[])first.Dims.Clone();
        dims[axis] = c.Inputs.Where(i => i is not null).Sum(i => i!.Dims[axis]);
        return [first with { Dims = dims }];
    }

    internal static TensorInfo[] Gather(NodeContext c)
    {
        var d = c.In(0).Dims;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), d.Length);
        return [c.In(0) with { Dims = [.. d[..axis], .. c.In(1).Dims, .. d[(axis + 1)..]] }];
    }

    internal static TensorInfo[] ConstantOfShape(NodeContext c)
    {
        var value = c.Node.GetTensor("value");
        var type = value is null ? OnnxElementType.Float : (OnnxElementType)value.DataType;
        return [new TensorInfo(type, c.Ints(0))];
    }

    internal static TensorInfo[] Range(NodeContext c)
    {
        var (start, limit, delta) = (c.Value(0), c.Value(1), c.Value(2));
        if (start is null || limit is null || delta is null)
        {
            throw new PlanningException($"{c.Node.Describe()}: Range bounds must be known before running.");
        }
        var n = (long)Math.Max(Math.Ceiling((limit[0] - start[0]) / delta[0]), 0);
        return [new TensorInfo(c.In(0).Type, [n])];
    }

    internal static TensorInfo[] Gemm(NodeContext c)
    {
        var a = c.In(0).Dims;
        var b = c.In(1).Dims;
        var m = c.Attr("transA", 0) != 0 ? a[1] : a[0];
        var n = c.Attr("transB", 0) != 0 ? b[0] : b[1];
        return [new TensorInfo(c.In(0).Type, [m, n])];
    }

    internal static TensorInfo[] ArgReduce(NodeContext c)
    {
        var d = (long[])c.In(0).Dims.Clone();
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), d.Length);
        d[axis] = 1;
        return [new TensorInfo(OnnxElementType.Int64, c.Attr("keepdims", 1) != 0 ? d : d.Where((_, i) => i != axis).ToArray())];
    }

    /// <summary>TopK with a known k: values and int64 indices, the axis cut to k.</summary>
    internal static TensorInfo[] TopK(NodeContext c)
    {
        var x = c.In(0);
        var k = c.Opset >= 10 ? c.Ints(1)[0] : c.Attr("k", 1);
        var dims = x.WithAxis(NodeContext.NormalizeAxis(c.Attr("axis", -1), x.Rank), k);
        return [x with { Dims = dims }, new TensorInfo(OnnxElementType.Int64, dims)];
    }

    internal static TensorInfo[] Pad(NodeContext c)
    {
        var d = c.In(0).Dims;
        var pads = c.Opset >= 11 ? c.Ints(1) : c.Node.GetInts("pads")!;
        var axes = c.Has(3) ? c.Ints(3).Select(a => NodeContext.NormalizeAxis(a, d.Length)).ToArray() : Enumerable.Range(0, d.Length).ToArray();
        var dims = (long[])d.Clone();
        for (var i = 0; i < axes.Length; i++)
        {
            dims[axes[i]] += pads[i] + pads[i + axes.Length];
        }
        return [c.In(0) with { Dims = dims }];
    }

    internal static TensorInfo Constant(NodeContext c)
    {
        if (c.Node.GetTensor("value") is { } t)
        {
            return new TensorInfo(t.GetElementType(), t.GetDims());
        }
        if (c.Node.HasAttribute("value_float")) return new TensorInfo(OnnxElementType.Float, []);
        if (c.Node.HasAttribute("value_int")) return new TensorInfo(OnnxElementType.Int64, []);
        if (c.Node.GetFloats("value_floats") is { } fs) return new TensorInfo(OnnxElementType.Float, [fs.Length]);
        if (c.Node.GetInts("value_ints") is { } ints) return new TensorInfo(OnnxElementType.Int64, [ints.Length]);
        throw new PlanningException($"{c.Node.Describe()}: Constant without a supported value attribute.");
    }

    public static long[] ShapeRange(NodeContext c)
    {
        var d = c.In(0).Dims;
        var start = (int)Math.Clamp(c.Attr("start", 0) is var s && s < 0 ? s + d.Length : s, 0, d.Length);
        var end = (int)Math.Clamp(c.Node.HasAttribute("end") ? (c.Attr("end", 0) is var e && e < 0 ? e + d.Length : e) : d.Length, 0, d.Length);
        return d[start..Math.Max(start, end)];
    }

    public static long[] Broadcast(NodeContext c) =>
        c.Inputs.Where(i => i is not null).Select(i => i!.Dims).Aggregate((a, b) => BroadcastDims(a, b, c));

    public static long[] BroadcastDims(long[] a, long[] b, NodeContext? c = null)
    {
        var rank = Math.Max(a.Length, b.Length);
        var dims = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) is var ia && ia >= 0 ? a[ia] : 1;
            var y = i - (rank - b.Length) is var ib && ib >= 0 ? b[ib] : 1;
            if (x != y && x != 1 && y != 1)
            {
                throw new PlanningException(
                    $"{c?.Node.Describe() ?? "broadcast"}: shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast.");
            }
            dims[i] = x == 1 ? y : x;
        }
        return dims;
    }

    public static long[] ReshapeDims(long[] input, long[] target, bool allowZero, NodeContext c)
    {
        var dims = new long[target.Length];
        var infer = -1;
        for (var i = 0; i < target.Length; i++)
        {
            dims[i] = target[i] == 0 && !allowZero ? input[i] : target[i];
            if (dims[i] == -1)
            {
                infer = i;
            }
        }
        if (infer >= 0)
        {
            var known = Product(dims.Where((_, i) => i != infer));
            dims[infer] = known == 0 ? 0 : Product(input) / known;
        }
        if (Product(dims) != Product(input))
        {
            throw new PlanningException(
                $"{c.Node.Describe()}: cannot reshape [{string.Join(", ", input)}] to [{string.Join(", ", target)}].");
        }
        return dims;
    }

    internal static TensorInfo[] Split(NodeContext c)
    {
        var d = c.In(0).Dims;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), d.Length);
        var count = c.Node.Outputs.Count;
        long[] sizes;
        if (c.Opset >= 13 && c.Has(1))
        {
            sizes = c.Ints(1);
        }
        else if (c.Node.GetInts("split") is { } s)
        {
            sizes = s;
        }
        else
        {
            var n = c.Node.HasAttribute("num_outputs") ? c.Attr("num_outputs", count) : count;
            var each = (d[axis] + n - 1) / n;
            sizes = Enumerable.Range(0, (int)n).Select(i => Math.Min(each, d[axis] - i * each)).ToArray();
        }
        return sizes.Select(s => c.In(0) with { Dims = c.In(0).WithAxis(axis, s) }).ToArray();
    }

    /// <summary>Per axis of the input: start, step and output length of a Slice.</summary>
    public static (long Start, long Step, long Length)[] SliceRanges(NodeContext c)
    {
        var d = c.In(0).Dims;
        // Before opset 10, starts, ends and axes are attributes and there are no steps.
        var legacy = c.Opset < 10;
        var starts = legacy ? c.Node.GetInts("starts") ?? throw new PlanningException($"{c.Node.Describe()}: Slice has no 'starts'.") : c.Ints(1);
        var ends = legacy ? c.Node.GetInts("ends") ?? throw new PlanningException($"{c.Node.Describe()}: Slice has no 'ends'.") : c.Ints(2);
        var axes = legacy ? c.Node.GetInts("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray()
            : c.Has(3) ? c.Ints(3) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = !legacy && c.Has(4) ? c.Ints(4) : Enumerable.Repeat(1L, starts.Length).ToArray();
        var ranges = d.Select(n => (0L, 1L, n)).ToArray();
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = NodeContext.NormalizeAxis(axes[i], d.Length);
            var n = d[axis];
            var step = steps[i];
            long Clamp(long v, long lo, long hi) => Math.Clamp(v < 0 ? v + n : v, lo, hi);
            long start, end;
            if (step > 0)
            {
                start = Clamp(starts[i], 0, n);
                end = Clamp(ends[i], 0, n);
            }
            else
            {
                start = Clamp(starts[i], -1, n - 1);
                end = Clamp(ends[i], -1, n - 1);
            }
            var length = step > 0 ? Math.Max(0, (end - start + step - 1) / step) : Math.Max(0, (start - end - step - 1) / -step);
            ranges[axis] = (start, step, length);
        }
        return ranges;
    }

    internal static TensorInfo[] Conv(NodeContext c)
    {
        var x = c.In(0).Dims;
        var w = c.In(1).Dims;
        return [c.In(0) with { Dims = WindowDims(c, w[2..], w[0]) }];
    }

    internal static long[] WindowDims(NodeContext c, long[] kernel, long? channels = null)
    {
        var x = c.In(0).Dims;
        var spatial = kernel.Length;
        var strides = c.Node.GetInts("strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = c.Node.GetInts("dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var pads = c.Node.GetInts("pads") ?? new long[spatial * 2];
        var autoPad = c.Node.GetString("auto_pad", "NOTSET");
        var ceil = c.Attr("ceil_mode", 0) != 0;
        var dims = new long[x.Length];
        dims[0] = x[0];
        dims[1] = channels ?? x[1];
        for (var i = 0; i < spatial; i++)
        {
            var input = x[i + 2];
            var effective = (kernel[i] - 1) * dilations[i] + 1;
            dims[i + 2] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (input + strides[i] - 1) / strides[i],
                "VALID" => (input - effective) / strides[i] + 1,
                _ => ceil
                    ? (long)Math.Ceiling((double)(input + pads[i] + pads[i + spatial] - effective) / strides[i]) + 1
                    : (input + pads[i] + pads[i + spatial] - effective) / strides[i] + 1,
            };
        }
        return dims;
    }

    internal static TensorInfo[] MatMul(NodeContext c)
    {
        var a = c.In(0).Dims;
        var b = c.In(1).Dims;
        var a2 = a.Length == 1 ? new[] { 1L, a[0] } : a;
        var b2 = b.Length == 1 ? new[] { b[0], 1L } : b;
        var batch = BroadcastDims(a2[..^2], b2[..^2], c);
        var dims = new List<long>(batch);
        if (a.Length > 1) dims.Add(a2[^2]);
        if (b.Length > 1) dims.Add(b2[^1]);
        return [new TensorInfo(c.In(0).Type, dims.ToArray())];
    }

    /// <summary>The reduced axes of a Reduce* node and its output dimensions.</summary>
    public static (HashSet<int> Axes, long[] Output) ReduceDims(NodeContext c)
    {
        var d = c.In(0).Dims;
        var axesInput = c.Node.OpType == "ReduceSum" ? 13 : 18;
        long[]? axes = c.Opset >= axesInput ? (c.Has(1) ? c.Ints(1) : null) : c.Node.GetInts("axes");
        var noop = c.Attr("noop_with_empty_axes", 0) != 0;
        var set = axes is null || axes.Length == 0
            ? (noop ? new HashSet<int>() : Enumerable.Range(0, d.Length).ToHashSet())
            : axes.Select(a => NodeContext.NormalizeAxis(a, d.Length)).ToHashSet();
        var keep = c.Attr("keepdims", 1) != 0;
        var dims = d.Select((n, i) => set.Contains(i) ? (keep ? 1L : -1L) : n).Where(n => n >= 0).ToArray();
        return (set, dims);
    }

    internal static TensorInfo[] Resize(NodeContext c)
    {
        var x = c.In(0).Dims;
        var axes = ResizeAxes(c);
        var dims = (long[])x.Clone();
        if (c.Opset >= 11 && c.Has(3) && c.Value(3) is { Count: > 0 } sizes)
        {
            for (var i = 0; i < axes.Length; i++)
            {
                dims[axes[i]] = sizes.Int(i);
            }
            return [c.In(0) with { Dims = dims }];
        }
        var scales = c.Value(c.Opset >= 11 ? 2 : 1) ?? throw new PlanningException($"{c.Node.Describe()}: Resize scales must be known before running.");
        for (var i = 0; i < axes.Length; i++)
        {
            dims[axes[i]] = (long)Math.Floor(x[axes[i]] * (double)(float)scales[i]);
        }
        return [c.In(0) with { Dims = dims }];
    }

    /// <summary>The axes a Resize's scales or sizes refer to (opset 18 may name a subset).</summary>
    public static int[] ResizeAxes(NodeContext c) =>
        c.Node.GetInts("axes")?.Select(a => NodeContext.NormalizeAxis(a, c.In(0).Rank)).ToArray() ?? Enumerable.Range(0, c.In(0).Rank).ToArray();
}
