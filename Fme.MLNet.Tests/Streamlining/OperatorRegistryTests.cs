using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>The operator registry agrees with itself, and the newer rules cut where they are exact and refuse elsewhere.</summary>
public class OperatorRegistryTests
{
    private static AnalysisNode Unit(GraphBuilder b, GraphValue output, params (string Name, long[] Dims)[] inputs)
    {
        b.Output(output);
        var model = b.Build();
        var shapes = GraphShapes.Infer(model, inputs.ToDictionary(i => i.Name, i => new TensorInfo(OnnxElementType.Float, i.Dims)));
        return AnalysisNode.Build(shapes, model.OpsetVersion).Single(u => u.Outputs.Contains(output.Name));
    }

    private static HashSet<(int?, int?)> Pairs(AnalysisNode unit, LinkKind kind, int slot = 0) =>
        unit.Links.Where(l => l.Kind == kind).Select(l => (l.Axes[slot], l.Axes[unit.Inputs.Length])).ToHashSet();

    private static GraphValue Weight(GraphBuilder b, string name, params long[] dims) =>
        b.Initializer(name, Enumerable.Range(0, (int)dims.Aggregate(1L, (a, d) => a * d)).Select(i => (i % 7) / 7f).ToArray(), dims);

    [Fact]
    public void Registry_IsConsistent()
    {
        foreach (var (key, rule) in OperatorRegistry.Rules)
        {
            Assert.Equal(key, rule.Key);
            // A cut or value rule reads output shapes the shape rule makes: an operator without one cannot have the others.
            Assert.True(rule.Shape is not null || rule.Cut is null && rule.Value is null, $"{key}: cut or value rule without a shape rule");
            Assert.False(rule.Cut is not null && rule.WholeReason is not null, $"{key}: has a cut rule and a reason never to cut");
            Assert.False(rule.ValueFromShapes && rule.Value is null, $"{key}: value from shapes without a value rule");
            Assert.True(rule.PieceInputs.Count == 0 || rule.Cut is not null, $"{key}: rewrites piece inputs but is never cut");
            Assert.True(key.Count(ch => ch == '.') == 0 || key.StartsWith("com.microsoft.", StringComparison.Ordinal), $"{key}: unexpected domain");
        }
        // The whole-tensor statistics are never cut; operators without a rule run whole with a reason.
        Assert.Null(OperatorRegistry.Find("DynamicQuantizeLinear")!.Cut);
        Assert.Contains("whole tensor", OperatorRegistry.Find("DynamicQuantizeLinear")!.WholeReason);
        Assert.Null(OperatorRegistry.Find("com.microsoft.MultiHeadAttention"));
    }

    [Fact]
    public void ConvTranspose_KernelEqualsStride_CutsPixels_OverlapOnlyCorresponds()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var up = b.Node1("ConvTranspose", [x, Weight(b, "w", 4, 3, 2, 2)], Attr.Ints("strides", 2, 2));
        var unit = Unit(b, up, ("x", [2, 4, 5, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (2, 2), (3, 3) }, Pairs(unit, LinkKind.Exact));

        var c = new GraphBuilder("g");
        var y = c.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var overlap = c.Node1("ConvTranspose", [y, Weight(c, "w", 4, 3, 4, 4)], Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1));
        var refused = Unit(c, overlap, ("x", [2, 4, 5, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0) }, Pairs(refused, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3) }, Pairs(refused, LinkKind.Correspondence));
    }

    [Fact]
    public void ConvTranspose_Shape_FollowsStridesPadsAndOutputPadding()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, "h", "w");
        var up = b.Node1("ConvTranspose", [x, Weight(b, "w", 4, 3, 3, 3)], Attr.Ints("strides", 2, 2), Attr.Ints("pads", 1, 1, 1, 1),
            Attr.Ints("output_padding", 1, 1), Attr.Int("group", 1));
        b.Output(up);
        var shapes = GraphShapes.Infer(b.Build(), new Dictionary<string, TensorInfo> { ["x"] = new(OnnxElementType.Float, [2, 4, 5, 6]) });
        Assert.Equal([2L, 3, 10, 12], shapes.Info(up.Name).Dims);
    }

    [Fact]
    public void Einsum_CutsOutputAxes_NeverTheSummedOne()
    {
        var b = new GraphBuilder("g");
        var q = b.Input("q", OnnxElementType.Float, "b", "h", "i", 4);
        var k = b.Input("k", OnnxElementType.Float, "b", "h", "j", 4);
        var scores = b.Node1("Einsum", [q, k], Attr.String("equation", "bhid,bhjd->bhij"));
        var unit = Unit(b, scores, ("q", [2, 3, 5, 4]), ("k", [2, 3, 7, 4]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1), (2, 2), (null, 3) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1), (null, 2), (2, 3) }, Pairs(unit, LinkKind.Exact, slot: 1));
        Assert.DoesNotContain(unit.Links, l => l.Axes[0] == 3 || l.Axes[1] == 3); // d is summed
    }

    [Fact]
    public void Einsum_ImplicitOutputAndDiagonal()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "i", "i2", "j");
        var trace = b.Node1("Einsum", [x], Attr.String("equation", "iij"));
        var unit = Unit(b, trace, ("x", [3, 3, 5]));
        // Implicit output "j"; i is repeated (a diagonal, summed) and never cut.
        Assert.Equal(new HashSet<(int?, int?)> { (2, 0) }, Pairs(unit, LinkKind.Exact));
    }

    [Theory]
    [InlineData(18, 4)]
    [InlineData(21, 8)]
    public void GroupNormalization_BatchExact_SpatialTwoPass_ChannelsNever(int opset, int affine)
    {
        var b = new GraphBuilder("g", opset);
        var x = b.Input("x", OnnxElementType.Float, "n", 8, "h", "w");
        var y = b.Node1("GroupNormalization", [x, Weight(b, "s", affine), Weight(b, "t", affine)], Attr.Int("num_groups", 4));
        var unit = Unit(b, y, ("x", [2, 8, 6, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3) }, Pairs(unit, LinkKind.TwoPass));
        Assert.Equal(4, unit.Norm!.Groups);
        Assert.Equal(opset >= 21, unit.Norm.PerChannel);
    }

    [Fact]
    public void GroupNormalization_WithComputedScale_CutsBatchOnly()
    {
        var b = new GraphBuilder("g", 21);
        var x = b.Input("x", OnnxElementType.Float, "n", 8, "h", "w");
        var s = b.Input("s", OnnxElementType.Float, 8);
        var y = b.Node1("GroupNormalization", [x, s, Weight(b, "t", 8)], Attr.Int("num_groups", 4));
        var unit = Unit(b, y, ("x", [2, 8, 6, 6]), ("s", [8]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0) }, Pairs(unit, LinkKind.Exact));
        Assert.Empty(Pairs(unit, LinkKind.TwoPass));
    }

    [Fact]
    public void Resize_CutsKeptAxes_WithConstantSizes_NotResizedOnes_NorCropAndResize()
    {
        var b = new GraphBuilder("g", 18);
        var x = b.Input("x", OnnxElementType.Float, "n", 3, "h", "w");
        var y = b.Node1("Resize", [x, null, null, b.Constant([2, 3, 10, 12])], Attr.String("mode", "nearest"));
        var unit = Unit(b, y, ("x", [2, 3, 5, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3) }, Pairs(unit, LinkKind.Correspondence));
        Assert.True(OperatorRegistry.RewritesPieceInput(unit.Members[0], 3));

        var c = new GraphBuilder("g", 18);
        var z = c.Input("x", OnnxElementType.Float, "n", 3, "h", "w");
        var crop = c.Node1("Resize", [z, c.ConstantFloat([0, 0, 0, 0, 1, 1, 1, 1]), null, c.Constant([2, 3, 10, 12])],
            Attr.String("coordinate_transformation_mode", "tf_crop_and_resize"));
        Assert.Empty(Pairs(Unit(c, crop, ("x", [2, 3, 5, 6])), LinkKind.Exact));
    }

    [Fact]
    public void DynamicQuantizeLinear_RunsWhole_WithItsReason()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 16);
        var q = b.Node("DynamicQuantizeLinear", [x], 3, null, [OnnxElementType.UInt8, OnnxElementType.Float, OnnxElementType.UInt8]);
        var unit = Unit(b, q[0], ("x", [4, 16]));
        Assert.Empty(unit.Links);
        Assert.Contains("whole tensor", unit.WholeReason);
    }

    [Fact]
    public void OperatorWithoutRule_GetsItsShapeFromOnnxRuntime()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 6, "h");
        var pooled = b.Node1("LpPool", [x], Attr.Ints("kernel_shape", 3), Attr.Ints("strides", 2));
        var after = b.Reshape(pooled, b.Concat(0, b.Unsqueeze(b.Gather(b.Shape(pooled), 0), 0), b.Constant([-1])));
        b.Output(after);
        var shapes = GraphShapes.Infer(b.Build(), new Dictionary<string, TensorInfo> { ["x"] = new(OnnxElementType.Float, [2, 6, 9]) });
        Assert.Equal([2L, 6, 4], shapes.Info(pooled.Name).Dims);
        Assert.Equal([2L, 24], shapes.Info(after.Name).Dims); // our rules go on from ONNX Runtime's shape
        Assert.Null(OperatorRegistry.Find("LpPool"));
    }

    [Fact]
    public void DataDependentShape_StopsPlanningWithItsReason()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n");
        var nz = b.Node("NonZero", [x], 1, null, [OnnxElementType.Int64])[0];
        b.Output(nz);
        var e = Assert.Throws<Fme.MLNet.Streamlining.PlanningException>(() =>
            GraphShapes.Infer(b.Build(), new Dictionary<string, TensorInfo> { ["x"] = new(OnnxElementType.Float, [5]) }));
        Assert.Contains("depends on the data", e.Message);
    }
}
