namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>Shape and cut rules of ConvTranspose: X [N, C, D...], W [C, M / group, k...] -> Y [N, M, D'...].</summary>
internal static class ConvTransposeRules
{
    public static TensorInfo[] Shape(NodeContext c)
    {
        var x = c.In(0).Dims;
        var w = c.In(1).Dims;
        var p = Attributes(c, w.Length - 2);
        var dims = new long[x.Length];
        dims[0] = x[0];
        dims[1] = w[1] * c.Attr("group", 1);
        var outputShape = c.Node.GetInts("output_shape");
        for (var i = 0; i < p.Kernel.Length; i++)
        {
            var input = x[i + 2];
            dims[i + 2] = outputShape is { } given
                ? given[given.Length - p.Kernel.Length + i]
                : p.AutoPad is "SAME_UPPER" or "SAME_LOWER"
                    ? input * p.Strides[i]
                    : p.Strides[i] * (input - 1) + p.OutputPadding[i] + (p.Kernel[i] - 1) * p.Dilations[i] + 1 - p.Pads[i] - p.Pads[i + p.Kernel.Length];
        }
        return [c.In(0) with { Dims = dims }];
    }

    /// <summary>
    /// The batch cuts exactly. A spatial axis cuts exactly when each input position writes its own block of outputs, with
    /// no overlap and nothing trimmed: kernel = stride, no dilation, no padding, no output padding or shape (the usual
    /// 2x upsampling); a piece of L positions then makes L x stride outputs. Overlapping kernels only correspond.
    /// </summary>
    public static IEnumerable<CutLink> Links(NodeContext c)
    {
        var p = Attributes(c, c.In(1).Rank - 2);
        yield return CutRules.Link(c, LinkKind.Exact, (0, 0), (c.InputCount, 0));
        var plain = c.Node.GetInts("output_shape") is null && p.AutoPad is "NOTSET" or "VALID";
        for (var i = 0; i < p.Kernel.Length; i++)
        {
            var blocks = plain && p.Kernel[i] == p.Strides[i] && p.Dilations[i] == 1 && p.OutputPadding[i] == 0 &&
                         p.Pads[i] == 0 && p.Pads[i + p.Kernel.Length] == 0;
            yield return CutRules.Link(c, blocks ? LinkKind.Exact : LinkKind.Correspondence, (0, i + 2), (c.InputCount, i + 2));
        }
    }

    private sealed record Parameters(long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, long[] OutputPadding, string AutoPad);

    private static Parameters Attributes(NodeContext c, int spatial)
    {
        long[] Ones() => Enumerable.Repeat(1L, spatial).ToArray();
        return new Parameters(
            c.Node.GetInts("kernel_shape") ?? c.In(1).Dims[2..],
            c.Node.GetInts("strides") ?? Ones(),
            c.Node.GetInts("dilations") ?? Ones(),
            c.Node.GetInts("pads") ?? new long[spatial * 2],
            c.Node.GetInts("output_padding") ?? new long[spatial],
            c.Node.GetString("auto_pad", "NOTSET"));
    }
}
