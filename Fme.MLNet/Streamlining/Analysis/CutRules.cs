namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>
/// The cut rules of <see cref="OperatorRegistry"/> that need more than a line: for an operator, the axes along which a
/// cut passes through it exactly. Rules return links; they never throw for "does not apply".
/// </summary>
internal static class CutRules
{
    internal static IEnumerable<CutLink> Softmax(NodeContext c)
    {
        var rank = c.In(0).Rank;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", c.Opset >= 13 ? -1 : 1), rank);
        // Before opset 13 the input is flattened to 2-D at `axis`: only the axes before it are independent.
        var reduced = c.Opset >= 13 ? [axis] : Enumerable.Range(axis, rank - axis).ToHashSet();
        return Elementwise(c).Where(l => !reduced.Contains(l.Axes[0] ?? -1));
    }

    internal static IEnumerable<CutLink> LayerNormalization(NodeContext c)
    {
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", -1), c.In(0).Rank);
        return Enumerable.Range(0, axis).Select(a => Link(c, LinkKind.Exact, (0, a), (c.InputCount, a)));
    }

    internal static IEnumerable<CutLink> BatchNormalization(NodeContext c) =>
        Enumerable.Range(0, c.In(0).Rank).Where(a => a != 1).Select(a => Link(c, LinkKind.Exact, (0, a), (c.InputCount, a)));

    internal static IEnumerable<CutLink> InstanceNormalization(NodeContext c) => Normalization(c);

    /// <summary>
    /// GroupNormalization (opset 18: scale and bias per group; 21: per channel): statistics per (batch, group) over the
    /// channels of the group and every axis from 2 on. The batch cuts exactly; an axis from 2 on only in two passes
    /// (statistics over the whole input first), which needs the scale and bias as constants. Channels are never cut.
    /// </summary>
    internal static IEnumerable<CutLink> GroupNormalization(NodeContext c) => Normalization(c);

    private static IEnumerable<CutLink> Normalization(NodeContext c)
    {
        var affineKnown = c.Value(1) is not null && c.Value(2) is not null;
        return Enumerable.Range(0, c.In(0).Rank).Where(a => a != 1 && (a == 0 || affineKnown))
            .Select(a => Link(c, a == 0 ? LinkKind.Exact : LinkKind.TwoPass, (0, a), (c.InputCount, a)));
    }

    internal static IEnumerable<CutLink> GlobalPool(NodeContext c) =>
        [Link(c, LinkKind.Exact, (0, 0), (c.InputCount, 0)), Link(c, LinkKind.Exact, (0, 1), (c.InputCount, 1))];

    internal static IEnumerable<CutLink> Transpose(NodeContext c)
    {
        var perm = c.Node.GetInts("perm") ?? Enumerable.Range(0, c.In(0).Rank).Reverse().Select(i => (long)i).ToArray();
        return perm.Select((p, j) => Link(c, LinkKind.Exact, (0, (int)p), (c.InputCount, j)));
    }

    internal static IEnumerable<CutLink> Reshape(NodeContext c) => ReshapeLinks(c, c.In(0).Dims, c.Outputs[0].Dims);

    internal static IEnumerable<CutLink> Concat(NodeContext c)
    {
        var rank = c.Outputs[0].Rank;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), rank);
        return Enumerable.Range(0, rank).Where(a => a != axis).Select(a =>
            new CutLink(c.Inputs.Select(i => i is null ? (int?)null : a).Append(a).ToArray(), LinkKind.Exact));
    }

    internal static IEnumerable<CutLink> Split(NodeContext c)
    {
        var rank = c.In(0).Rank;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), rank);
        return Enumerable.Range(0, rank).Where(a => a != axis).Select(a =>
            new CutLink(c.Inputs.Select((_, i) => i == 0 ? (int?)a : null).Concat(c.Outputs.Select(_ => (int?)a)).ToArray(), LinkKind.Exact));
    }

    internal static IEnumerable<CutLink> Slice(NodeContext c)
    {
        var ranges = OperatorShapes.SliceRanges(c);
        var dims = c.In(0).Dims;
        return Enumerable.Range(0, dims.Length).Select(a => Link(c,
            ranges[a] == (0, 1, dims[a]) ? LinkKind.Exact : LinkKind.Correspondence, (0, a), (c.InputCount, a)));
    }

    internal static IEnumerable<CutLink> Gather(NodeContext c)
    {
        var rank = c.In(0).Rank;
        var axis = NodeContext.NormalizeAxis(c.Attr("axis", 0), rank);
        var indexRank = c.In(1).Rank;
        for (var a = 0; a < rank; a++)
        {
            if (a != axis)
            {
                yield return Link(c, LinkKind.Exact, (0, a), (c.InputCount, a < axis ? a : a + indexRank - 1));
            }
        }
        for (var k = 0; k < indexRank; k++)
        {
            yield return Link(c, LinkKind.Exact, (1, k), (c.InputCount, axis + k));
        }
    }

    internal static IEnumerable<CutLink> Expand(NodeContext c)
    {
        var x = c.In(0).Dims;
        var y = c.Outputs[0].Dims;
        return Enumerable.Range(0, y.Length).Where(a => a - (y.Length - x.Length) >= 0 && x[a - (y.Length - x.Length)] == y[a] && y[a] > 1)
            .Select(a => Link(c, LinkKind.Exact, (0, a - (y.Length - x.Length)), (c.InputCount, a)));
    }

    /// <summary>
    /// Resize cuts exactly along the axes it keeps (scale 1: every mode then copies), with constant scales or constant
    /// sizes (the executor rewrites sizes for each piece). tf_crop_and_resize reads a region of interest: never cut.
    /// </summary>
    internal static IEnumerable<CutLink> Resize(NodeContext c)
    {
        var x = c.In(0).Dims;
        var y = c.Outputs[0].Dims;
        var crop = c.Node.GetString("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize";
        return Enumerable.Range(0, x.Length).Select(a => Link(c, x[a] == y[a] && !crop ? LinkKind.Exact : LinkKind.Correspondence, (0, a), (c.InputCount, a)));
    }

    internal static IEnumerable<CutLink> Pad(NodeContext c)
    {
        var x = c.In(0).Dims;
        var y = c.Outputs[0].Dims;
        return Enumerable.Range(0, x.Length).Select(a => Link(c, x[a] == y[a] ? LinkKind.Exact : LinkKind.Correspondence, (0, a), (c.InputCount, a)));
    }

    /// <summary>A link with the given (slot, axis) pairs cut and every other slot whole.</summary>
    internal static CutLink Link(NodeContext c, LinkKind kind, params (int Slot, int Axis)[] cuts)
    {
        var axes = new int?[c.InputCount + c.Outputs.Length];
        foreach (var (slot, axis) in cuts)
        {
            axes[slot] = axis;
        }
        return new CutLink(axes, kind);
    }

    /// <summary>Numpy broadcasting: each output axis is cut in every input that is not broadcast along it.</summary>
    internal static IEnumerable<CutLink> Elementwise(NodeContext c) => Elementwise(c, c.InputCount);

    internal static IEnumerable<CutLink> Elementwise(NodeContext c, int dataInputs)
    {
        var outDims = c.Outputs[0].Dims;
        for (var a = 0; a < outDims.Length; a++)
        {
            if (outDims[a] <= 1)
            {
                continue;
            }
            var axes = new int?[c.InputCount + c.Outputs.Length];
            for (var i = 0; i < Math.Min(dataInputs, c.InputCount); i++)
            {
                if (c.Inputs[i] is not { } info)
                {
                    continue;
                }
                var ia = a - (outDims.Length - info.Rank);
                axes[i] = ia >= 0 && info.Dims[ia] == outDims[a] ? ia : null;
            }
            for (var o = 0; o < c.Outputs.Length; o++)
            {
                axes[c.InputCount + o] = c.Outputs[o].Rank == outDims.Length ? a : null;
            }
            yield return new CutLink(axes, LinkKind.Exact);
        }
    }

    internal static IEnumerable<CutLink> Conv(NodeContext c)
    {
        var x = c.In(0).Dims;
        var kernel = c.In(1).Dims[2..];
        var strides = c.Node.GetInts("strides") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        var pads = c.Node.GetInts("pads") ?? new long[kernel.Length * 2];
        var autoPad = c.Node.GetString("auto_pad", "NOTSET");
        yield return Link(c, LinkKind.Exact, (0, 0), (c.InputCount, 0));
        for (var i = 0; i < kernel.Length; i++)
        {
            // Each output position along this axis reads only its own input position.
            var pointwise = kernel[i] == 1 && strides[i] == 1 && pads[i] == 0 && pads[i + kernel.Length] == 0 &&
                            autoPad is "NOTSET" or "VALID";
            yield return Link(c, pointwise ? LinkKind.Exact : LinkKind.Correspondence, (0, i + 2), (c.InputCount, i + 2));
        }
        _ = x;
    }

    internal static IEnumerable<CutLink> Pool(NodeContext c)
    {
        var kernel = c.Node.GetInts("kernel_shape")!;
        var strides = c.Node.GetInts("strides") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        var pads = c.Node.GetInts("pads") ?? new long[kernel.Length * 2];
        yield return Link(c, LinkKind.Exact, (0, 0), (c.InputCount, 0));
        yield return Link(c, LinkKind.Exact, (0, 1), (c.InputCount, 1));
        for (var i = 0; i < kernel.Length; i++)
        {
            var pointwise = kernel[i] == 1 && strides[i] == 1 && pads[i] == 0 && pads[i + kernel.Length] == 0;
            yield return Link(c, pointwise ? LinkKind.Exact : LinkKind.Correspondence, (0, i + 2), (c.InputCount, i + 2));
        }
    }

    internal static IEnumerable<CutLink> MatMul(NodeContext c)
    {
        var a = c.In(0).Dims;
        var b = c.In(1).Dims;
        var y = c.Outputs[0].Dims;
        var output = c.InputCount;
        if (a.Length >= 2)
        {
            yield return Link(c, LinkKind.Exact, (0, a.Length - 2), (output, y.Length - (b.Length >= 2 ? 2 : 1)));
        }
        if (b.Length >= 2)
        {
            yield return Link(c, LinkKind.Exact, (1, b.Length - 1), (output, y.Length - 1));
        }
        // Batch axes broadcast like elementwise operators.
        var batch = y.Length - (a.Length >= 2 ? 1 : 0) - (b.Length >= 2 ? 1 : 0);
        for (var k = 0; k < batch; k++)
        {
            if (y[k] <= 1)
            {
                continue;
            }
            var ia = k - (batch - (a.Length - 2));
            var ib = k - (batch - (b.Length - 2));
            var axes = new int?[c.InputCount + 1];
            axes[0] = ia >= 0 && a[ia] == y[k] ? ia : null;
            axes[1] = ib >= 0 && b[ib] == y[k] ? ib : null;
            axes[c.InputCount] = k;
            yield return new CutLink(axes, LinkKind.Exact);
        }
    }

    internal static IEnumerable<CutLink> Gemm(NodeContext c)
    {
        var output = c.InputCount;
        var y = c.Outputs[0].Dims;
        // The bias C broadcasts to [M, N]: it is cut only where it is not broadcast.
        int? BiasAxis(int axis)
        {
            if (!c.Has(2))
            {
                return null;
            }
            var bias = c.In(2).Dims;
            var ia = axis - (2 - bias.Length);
            return ia >= 0 && bias[ia] == y[axis] && y[axis] > 1 ? ia : null;
        }
        var rows = Link(c, LinkKind.Exact, (0, c.Attr("transA", 0) != 0 ? 1 : 0), (output, 0));
        var cols = Link(c, LinkKind.Exact, (1, c.Attr("transB", 0) != 0 ? 0 : 1), (output, 1));
        if (c.Has(2))
        {
            rows.Axes[2] = BiasAxis(0);
            cols.Axes[2] = BiasAxis(1);
        }
        yield return rows;
        yield return cols;
    }

    internal static IEnumerable<CutLink> Reduce(NodeContext c)
    {
        var (axes, output) = OperatorShapes.ReduceDims(c);
        var keep = c.Attr("keepdims", 1) != 0;
        var rank = c.In(0).Rank;
        var o = 0;
        for (var a = 0; a < rank; a++)
        {
            if (axes.Contains(a))
            {
                if (keep)
                {
                    o++;
                }
                continue;
            }
            yield return Link(c, LinkKind.Exact, (0, a), (c.InputCount, o));
            o++;
        }
        _ = output;
    }

    /// <summary>
    /// Reshape-like operators: match input and output axes into groups of equal products (size-1 axes skipped).
    /// In each group the outermost input axis and the outermost output axis cut together exactly (a merge keeps
    /// whole inner rows, a split keeps whole inner blocks); the other members only correspond.
    /// </summary>
    internal static IEnumerable<CutLink> ReshapeLinks(NodeContext c, long[] x, long[] y)
    {
        var output = c.InputCount;
        var i = 0;
        var j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (x[i] == 1)
            {
                i++;
                continue;
            }
            if (y[j] == 1)
            {
                j++;
                continue;
            }
            var (i0, j0) = (i, j);
            long px = x[i++], py = y[j++];
            while (px != py)
            {
                if (px < py)
                {
                    if (i >= x.Length) yield break;
                    px *= x[i++];
                }
                else
                {
                    if (j >= y.Length) yield break;
                    py *= y[j++];
                }
            }
            yield return Link(c, LinkKind.Exact, (0, i0), (output, j0));
            for (var a = i0; a < i; a++)
            {
                for (var b = j0; b < j; b++)
                {
                    if ((a, b) != (i0, j0) && x[a] > 1 && y[b] > 1)
                    {
                        yield return Link(c, LinkKind.Correspondence, (0, a), (output, b));
                    }
                }
            }
        }
    }
}
