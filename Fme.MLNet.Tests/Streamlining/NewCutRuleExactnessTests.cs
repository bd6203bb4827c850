using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>
/// Each newer cut rule, forced on a one-node graph, gives what plain ONNX Runtime gives on fresh random inputs.
/// </summary>
public class NewCutRuleExactnessTests
{
    private static readonly StreamlineOptions Forced = new() { FrameChunks = 2, PixelChunks = 3, MinimumCutBytes = 0, CutEverywhere = true };

    private static void AssertCutAndExact(OnnxModel model, Dictionary<string, (float[], long[])> inputs, TestRandom rng)
    {
        var plan = Oracle.AssertSame(model, Forced, inputs, rng);
        Assert.Contains(plan.Groups, g => g.Pieces > 1);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(4, 1)]
    public void ConvTranspose_MatchesPlainRuntime(int kernel, int pad)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var w = b.Initializer("w", rng.Normal(4 * 3 * kernel * kernel), 4, 3, kernel, kernel);
        b.Output(b.Node1("ConvTranspose", [x, w], Attr.Ints("strides", 2, 2), Attr.Ints("pads", pad, pad, pad, pad)), "y");
        AssertCutAndExact(b.Build(), new() { ["x"] = (rng.Normal(2 * 4 * 12 * 12), [2, 4, 12, 12]) }, rng);
    }

    [Fact]
    public void Einsum_MatchesPlainRuntime()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g");
        var q = b.Input("q", OnnxElementType.Float, "n", 3, "i", 4);
        var k = b.Input("k", OnnxElementType.Float, "n", 3, "j", 4);
        b.Output(b.Node1("Einsum", [q, k], Attr.String("equation", "bhid,bhjd->bhij")), "y");
        AssertCutAndExact(b.Build(), new()
        {
            ["q"] = (rng.Normal(2 * 3 * 12 * 4), [2, 3, 12, 4]),
            ["k"] = (rng.Normal(2 * 3 * 10 * 4), [2, 3, 10, 4]),
        }, rng);
    }

    [Theory]
    [InlineData(18, 4)]
    [InlineData(21, 8)]
    public void GroupNormalization_MatchesPlainRuntime(int opset, int affine)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", opset);
        var x = b.Input("x", OnnxElementType.Float, "n", 8, "h", "w");
        var s = b.Initializer("s", rng.Normal(affine), affine);
        var t = b.Initializer("t", rng.Normal(affine), affine);
        b.Output(b.Node1("GroupNormalization", [x, s, t], Attr.Int("num_groups", 4)), "y");
        AssertCutAndExact(b.Build(), new() { ["x"] = (rng.Normal(2 * 8 * 12 * 12), [2, 8, 12, 12]) }, rng);
    }

    [Theory]
    [InlineData("nearest")]
    [InlineData("linear")]
    public void Resize_WithConstantSizes_MatchesPlainRuntime(string mode)
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("g", 18);
        var x = b.Input("x", OnnxElementType.Float, "n", 3, "h", "w");
        b.Output(b.Node1("Resize", [x, null, null, b.Constant([2, 3, 24, 24])], Attr.String("mode", mode)), "y");
        AssertCutAndExact(b.Build(), new() { ["x"] = (rng.Normal(2 * 3 * 12 * 12), [2, 3, 12, 12]) }, rng);
    }
}
