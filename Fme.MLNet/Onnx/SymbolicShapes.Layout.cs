using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

// Rules of the operators that move, select or resize axes.
internal static partial class SymbolicShapes
{
    private static KnownTensor?[] Gather(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } data || inputs[1]?.Shape is not { } indices)
        {
            return [null];
        }
        var axis = Axis(Int(a, "axis", 0), data.Length);
        var shape = data[..axis].Concat(indices).Concat(data[(axis + 1)..]).ToArray();
        SymbolicDim[]? ints = null;
        if (data.Length == 1 && inputs[0]!.Ints is { } values && ConstantInts(inputs[1]) is { } at)
        {
            ints = at.Select(i => values[(int)(i < 0 ? i + values.Length : i)]).ToArray();
        }
        return One(shape, ints);
    }

    private static KnownTensor?[] Unsqueeze(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } shape || ConstantInts(inputs[1]) is not { } axes)
        {
            return [null];
        }
        var rank = shape.Length + axes.Length;
        var inserted = axes.Select(x => Axis(x, rank)).ToHashSet();
        var result = new List<SymbolicDim>();
        var next = 0;
        for (var i = 0; i < rank; i++)
        {
            result.Add(inserted.Contains(i) ? SymbolicDim.Of(1) : shape[next++]);
        }
        return One(result.ToArray(), inputs[0]!.Ints);
    }

    private static KnownTensor?[] Squeeze(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } shape || ConstantInts(inputs[1]) is not { } axes)
        {
            return [null];
        }
        var removed = axes.Select(x => Axis(x, shape.Length)).ToHashSet();
        return One(shape.Where((_, i) => !removed.Contains(i)).ToArray(), inputs[0]!.Ints);
    }

    private static KnownTensor?[] Concat(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs.Any(i => i?.Shape is null))
        {
            return [null];
        }
        var shape = (SymbolicDim[])inputs[0]!.Shape!.Clone();
        var axis = Axis(Int(a, "axis", 0), shape.Length);
        shape[axis] = inputs.Skip(1).Aggregate(shape[axis], (sum, t) => sum + t!.Shape![axis]);
        var ints = inputs.All(i => i!.Ints is not null) ? inputs.SelectMany(i => i!.Ints!).ToArray() : null;
        return One(shape, ints);
    }

    private static KnownTensor?[] Slice(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } shape || ConstantInts(inputs[1]) is not { } starts || ConstantInts(inputs[2]) is not { } ends)
        {
            return [null];
        }
        var axes = inputs.Count > 3 ? ConstantInts(inputs[3]) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = inputs.Count > 4 ? ConstantInts(inputs[4]) : null;
        if (axes is null || (steps is not null && steps.Any(s => s != 1)))
        {
            return [null];
        }
        var result = (SymbolicDim[])shape.Clone();
        var ints = inputs[0]!.Ints;
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = Axis(axes[i], shape.Length);
            if (shape[axis].IsConstant)
            {
                var size = shape[axis].Coefficient;
                long Clamp(long v) => Math.Clamp(v < 0 ? v + size : v, 0, size);
                var (begin, end) = (Clamp(starts[i]), Clamp(ends[i]));
                result[axis] = SymbolicDim.Of(Math.Max(0, end - begin));
                ints = ints is not null && shape.Length == 1 ? ints[(int)begin..(int)Math.Max(begin, end)] : null;
            }
            else if (!(starts[i] == 0 && ends[i] >= int.MaxValue))
            {
                return [null];
            }
        }
        return One(result, ints);
    }

    private static KnownTensor?[] Reshape(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[1]?.Ints is not { } target)
        {
            return [null];
        }
        var input = inputs[0]?.Shape;
        var result = new SymbolicDim[target.Length];
        var infer = -1;
        for (var i = 0; i < target.Length; i++)
        {
            if (target[i] is { IsConstant: true, Coefficient: 0 })
            {
                if (input is null || i >= input.Length)
                {
                    return [null];
                }
                result[i] = input[i];
            }
            else if (target[i] is { IsConstant: true, Coefficient: -1 })
            {
                infer = i;
            }
            else
            {
                result[i] = target[i];
            }
        }
        if (infer >= 0)
        {
            if (input is null)
            {
                return [null];
            }
            var total = input.Aggregate(SymbolicDim.Of(1), (p, d) => p * d);
            result[infer] = result.Where((_, i) => i != infer).Aggregate(total, (q, d) => q / d);
        }
        return One(result, inputs[0]?.Ints);
    }

    private static KnownTensor?[] Transpose(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } shape)
        {
            return [null];
        }
        var perm = Ints(a, "perm") ?? Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray();
        return One(perm.Select(p => shape[p]).ToArray());
    }

    private static KnownTensor?[] MatMul(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { Length: >= 2 } x || inputs[1]?.Shape is not { Length: >= 2 } y)
        {
            return [null];
        }
        var batch = Broadcast([x[..^2], y[..^2]]);
        return batch is null ? [null] : One([.. batch, x[^2], y[^1]]);
    }

    private static KnownTensor?[] Conv(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } x || inputs[1]?.Shape is not { } w)
        {
            return [null];
        }
        var spatial = x.Length - 2;
        var kernel = Ints(a, "kernel_shape") ?? w[2..].Select(d => d.Coefficient).ToArray();
        var pads = Ints(a, "pads") ?? new long[2 * spatial];
        var strides = Ints(a, "strides") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = Ints(a, "dilations") ?? Enumerable.Repeat(1L, spatial).ToArray();
        var result = new SymbolicDim[x.Length];
        (result[0], result[1]) = (x[0], w[0]);
        for (var i = 0; i < spatial; i++)
        {
            // floor((in + pads - dilation (k - 1) - 1) / stride) + 1
            var shrink = pads[i] + pads[i + spatial] - dilations[i] * (kernel[i] - 1);
            // floor((x + c - 1) / s) + 1 = ceil((x + c) / s) for x + c >= 1, written in that shorter form.
            result[i + 2] = SymbolicDim.CeilDiv(x[i + 2] + SymbolicDim.Of(shrink), strides[i]);
        }
        return One(result);
    }

    private static KnownTensor?[] Resize(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } x || inputs.Count < 3 || inputs[2]?.Floats is not { } scales || scales.Length != x.Length ||
            scales.Any(s => s != MathF.Floor(s) || s < 1))
        {
            return [null];
        }
        return One(x.Select((d, i) => d * SymbolicDim.Of((long)scales[i])).ToArray());
    }

    private static KnownTensor?[] Expand(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        inputs[0]?.Shape is { } x && inputs[1]?.Ints is { } target ? One(Broadcast([x, target])) : [null];

    private static KnownTensor?[] Tile(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        inputs[0]?.Shape is { } x && inputs[1]?.Ints is { } repeats && repeats.Length == x.Length
            ? One(x.Select((d, i) => d * repeats[i]).ToArray())
            : [null];

    private static KnownTensor?[] ConstantOfShape(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        One(inputs[0]?.Ints);

    private static KnownTensor?[] Range(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        ConstantInts(inputs[0]) is [0] && ConstantInts(inputs[2]) is [1] && inputs[1]?.Ints is [var limit] ? One([limit]) : [null];

    private static KnownTensor?[] Split(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs)
    {
        if (inputs[0]?.Shape is not { } x || inputs.Count < 2 || ConstantInts(inputs[1]) is not { } sizes || sizes.Length != outputs)
        {
            return new KnownTensor?[outputs];
        }
        var axis = Axis(Int(a, "axis", 0), x.Length);
        return sizes.Select(size =>
        {
            var shape = (SymbolicDim[])x.Clone();
            shape[axis] = SymbolicDim.Of(size);
            return (KnownTensor?)new KnownTensor(shape);
        }).ToArray();
    }

    private static KnownTensor?[] Pad(IReadOnlyList<KnownTensor?> inputs, IReadOnlyDictionary<string, AttributeProto> a, int outputs) =>
        inputs[0]?.Shape is { } x && ConstantInts(inputs[1]) is { } pads && pads.Length == 2 * x.Length
            ? One(x.Select((d, i) => d + SymbolicDim.Of(pads[i] + pads[i + x.Length])).ToArray())
            : [null];
}
