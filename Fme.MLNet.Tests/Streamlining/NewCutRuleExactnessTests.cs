using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>
/// Each newer cut rule, forced on a small graph, gives what plain ONNX Runtime gives on fresh random inputs; where the
/// rule must refuse a cut, the operator runs whole and the result is still exact. Inputs have batch 1 so that a cut
/// can only go along the axis the rule is about.
/// </summary>
public class NewCutRuleExactnessTests
{
    private static readonly StreamlineOptions Forced = new() { FrameChunks = 2, PixelChunks = 3, MinimumCutBytes = 0, CutEverywhere = true };

    private static StreamlinedPlan Check(OnnxModel model, TestRandom rng, Dictionary<string, (float[], long[])> inputs) =>
        Oracle.AssertSame(model, Forced, inputs, rng);

    private static PlanGroup GroupOf(StreamlinedPlan plan, string opType) =>
        Assert.Single(plan.Groups, g => g.Operators.Any(o => o.StartsWith("/" + opType, StringComparison.Ordinal)));

    /// <summary>Asserts the operator's own group is cut along one of <paramref name="axes"/>.</summary>
    private static PlanGroup AssertCut(StreamlinedPlan plan, string opType, params int[] axes)
    {
        var group = GroupOf(plan, opType);
        Assert.True(group.Pieces > 1, $"{opType} should be cut:\n{plan}");
        Assert.Contains(group.CutAxis!.Value, axes);
        return group;
    }

    private static void AssertWhole(StreamlinedPlan plan, string opType) =>
        Assert.True(GroupOf(plan, opType).Pieces == 1, $"{opType} must run whole:\n{plan}");

    private static (float[], long[]) Data(TestRandom rng, params long[] dims) => (rng.Normal(dims.Aggregate(1L, (a, d) => a * d)), dims);

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 0)]
    public void ConvTranspose_KernelEqualsStride_CutsPixelsExactly(int stride, int pad)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var w = b.Initializer("w", rng.Normal(4 * 3 * stride * stride), 4, 3, stride, stride);
        b.Output(b.Node1("ConvTranspose", [x, w], Attr.Ints("strides", stride, stride), Attr.Ints("pads", pad, pad, pad, pad)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 4, 12, 12) });
        AssertCut(plan, "ConvTranspose", 2, 3);
    }

    [Fact]
    public void ConvTranspose_OverlappingKernel_IsNotCutAlongPixels()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var w = b.Initializer("w", rng.Normal(4 * 3 * 4 * 4), 4, 3, 4, 4);
        b.Output(b.Node1("ConvTranspose", [x, w], Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1)), "y");
        var model = b.Build();
        AssertWhole(Check(model, rng, new() { ["x"] = Data(rng, 1, 4, 12, 12) }), "ConvTranspose");
        AssertCut(Check(model, rng, new() { ["x"] = Data(rng, 2, 4, 12, 12) }), "ConvTranspose", 0);
    }

    [Fact]
    public void Einsum_CutsAxesThatAreNotSummed()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var q = b.Input("q", OnnxElementType.Float, "n", "h", "i", 4);
        var k = b.Input("k", OnnxElementType.Float, "n", "h", "j", 4);
        b.Output(b.Node1("Einsum", [q, k], Attr.String("equation", "bhid,bhjd->bhij")), "y");
        var plan = Check(b.Build(), rng, new() { ["q"] = Data(rng, 1, 1, 12, 4), ["k"] = Data(rng, 1, 1, 10, 4) });
        var group = AssertCut(plan, "Einsum", 2, 3);
        Assert.False(group.CutAxis == 3 && group.CutTensor is "q" or "k", $"cut along the summed axis:\n{plan}");
    }

    [Fact]
    public void Einsum_SummedAxis_IsNeverCut()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var a = b.Input("a", OnnxElementType.Float, 1, "j");
        var c = b.Input("c", OnnxElementType.Float, "j", 1);
        // Relu can be cut along j; the Einsum sums over j, so it must not follow that cut.
        b.Output(b.Node1("Einsum", [b.Relu(a), c], Attr.String("equation", "ij,jk->ik")), "y");
        var plan = Check(b.Build(), rng, new() { ["a"] = Data(rng, 1, 60), ["c"] = Data(rng, 60, 1) });
        AssertWhole(plan, "Einsum");
    }

    [Theory]
    [InlineData(18, 4)]
    [InlineData(21, 8)]
    public void GroupNormalization_CutsPixelsInTwoPasses(int opset, int affine)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", opset);
        var x = b.Input("x", OnnxElementType.Float, "n", 8, "h", "w");
        var s = b.Initializer("s", rng.Normal(affine), affine);
        var t = b.Initializer("t", rng.Normal(affine), affine);
        // Offset and scaled input: a one-pass variance would lose digits here, the two-pass form must not.
        var shifted = b.Add(b.Mul(x, b.ConstantFloat([3f])), b.ConstantFloat([5f]));
        b.Output(b.Node1("GroupNormalization", [shifted, s, t], Attr.Int("num_groups", 4)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 8, 12, 12) });
        var group = AssertCut(plan, "GroupNormalization", 2, 3);
        Assert.Single(group.TwoPassNormalizations);
    }

    [Fact]
    public void GroupNormalization_WithComputedScale_RunsWhole()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", 21);
        var x = b.Input("x", OnnxElementType.Float, "n", 8, "h", "w");
        var s = b.Input("s", OnnxElementType.Float, 8);
        b.Output(b.Node1("GroupNormalization", [x, s, b.Initializer("t", rng.Normal(8), 8)], Attr.Int("num_groups", 4)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 8, 12, 12), ["s"] = Data(rng, 8) });
        AssertWhole(plan, "GroupNormalization");
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("linear")]
    [InlineData("cubic")]
    public void Resize_WithConstantSizes_CutsAKeptAxis(string mode)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", 18);
        var x = b.Input("x", OnnxElementType.Float, "n", 1, "h", "w");
        // Height kept, width doubled: the cut goes along the height and the executor rewrites sizes per piece.
        b.Output(b.Node1("Resize", [x, null, null, b.Constant([1, 1, 12, 24])], Attr.String("mode", mode)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 1, 12, 12) });
        AssertCut(plan, "Resize", 2);
    }

    [Theory]
    [InlineData("half_pixel", 1, 1, 24, 24)]
    [InlineData("tf_crop_and_resize", 1, 1, 12, 12)]
    public void Resize_ResizedAxesAndCropAndResize_RunWhole(string transform, long n, long c, long h, long w)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", 18);
        var x = b.Input("x", OnnxElementType.Float, "n", 1, "h", "w");
        var roi = transform == "tf_crop_and_resize" ? (GraphValue?)b.ConstantFloat([0, 0, 0.1f, 0.2f, 1, 1, 0.9f, 0.7f], OnnxElementType.Float, 8) : null;
        b.Output(b.Node1("Resize", [x, roi, null, b.Constant([n, c, h, w])], Attr.String("mode", "linear"),
            Attr.String("coordinate_transformation_mode", transform)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 1, 12, 12) });
        AssertWhole(plan, "Resize");
    }

    [Fact]
    public void DynamicQuantizeLinear_RunsWhole_WhileWhatFollowsIsCut()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var q = b.Node("DynamicQuantizeLinear", [x], 3, null, [OnnxElementType.UInt8, OnnxElementType.Float, OnnxElementType.UInt8]);
        var back = b.Node("DequantizeLinear", [q[0], q[1], q[2]], 1, null, [OnnxElementType.Float])[0];
        b.Output(b.Mul(b.Relu(back), b.Initializer("m", rng.Normal(4 * 12), 4, 1, 12)), "y");
        var plan = Check(b.Build(), rng, new() { ["x"] = Data(rng, 1, 4, 12, 12) });
        // The scale is computed from the whole tensor; a cut through it would quantize each piece with its own scale.
        AssertWhole(plan, "DynamicQuantizeLinear");
        Assert.True(GroupOf(plan, "DequantizeLinear").Pieces > 1, plan.ToString());
    }
}
