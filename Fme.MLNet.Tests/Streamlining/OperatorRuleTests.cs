using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>One test per operator rule: which axes a cut may pass along (exact), which need two passes, which never.</summary>
public class OperatorRuleTests
{
    /// <summary>Builds a graph around one operator and returns the links of the unit that produces <paramref name="output"/>.</summary>
    private static AnalysisNode Unit(GraphBuilder b, GraphValue output, params (string Name, long[] Dims)[] inputs)
    {
        b.Output(output);
        var model = b.Build();
        var shapes = GraphShapes.Infer(model, inputs.ToDictionary(i => i.Name, i => new TensorInfo(OnnxElementType.Float, i.Dims)));
        var units = AnalysisNode.Build(shapes, model.OpsetVersion);
        return units.Single(u => u.Outputs.Contains(output.Name));
    }

    /// <summary>The (input axis, output axis) pairs of slot 0 and the first output for links of the given kind.</summary>
    private static HashSet<(int?, int?)> Pairs(AnalysisNode unit, LinkKind kind) =>
        unit.Links.Where(l => l.Kind == kind).Select(l => (l.Axes[0], l.Axes[unit.Inputs.Length])).ToHashSet();

    private static GraphValue Weight(GraphBuilder b, string name, params long[] dims) =>
        b.Initializer(name, new float[dims.Aggregate(1L, (a, d) => a * d)], dims);

    [Fact]
    public void SliceBeforeOpset10_ReadsAttributes_ForShapeValueAndCut()
    {
        // Opset 9 Slice (paddle2onnx writes it) has starts/ends/axes as attributes and a single input. The builder only
        // writes the newer form, so Identity nodes are turned into such Slices in the proto.
        var b = new GraphBuilder("g", opsetVersion: 9);
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 8, 8);
        var y = b.Node1("Identity", [x]);
        var dims = b.Node1("Identity", [b.Shape(x)]);
        b.Output(y);
        b.Output(dims);
        var proto = b.Build().Proto.Clone();
        foreach (var (node, attributes) in proto.Graph.Node.Where(n => n.OpType == "Identity")
                     .Zip(new[] { new[] { Attr.Ints("starts", 2), Attr.Ints("ends", -1), Attr.Ints("axes", 2) }, [Attr.Ints("starts", 1), Attr.Ints("ends", 3)] }))
        {
            node.OpType = "Slice";
            node.Attribute.AddRange(attributes);
        }
        var model = OnnxModel.FromProto(proto);
        var shapes = GraphShapes.Infer(model, new Dictionary<string, TensorInfo> { ["x"] = new(OnnxElementType.Float, [3, 4, 8, 8]) });
        var unit = AnalysisNode.Build(shapes, model.OpsetVersion).Single(u => u.Outputs.Contains(y.Name));

        Assert.Equal([3L, 4, 5, 8], shapes.Info(y.Name).Dims);
        Assert.Equal([4L, 8], shapes.Value(dims.Name)!.Ints!);
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1), (3, 3) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2) }, Pairs(unit, LinkKind.Correspondence));
    }

    [Fact]
    public void Conv3x3_CutsBatchOnly()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 8, 8);
        var unit = Unit(b, b.Conv(x, Weight(b, "w", 4, 4, 3, 3), null, [3, 3], pads: [1, 1, 1, 1]), ("x", [6, 4, 8, 8]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3) }, Pairs(unit, LinkKind.Correspondence));
    }

    [Fact]
    public void TemporalConv3x1x1_CutsBatchHeightWidth_NeverFrames()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "b", 4, "f", 8, 8);
        var unit = Unit(b, b.Conv(x, Weight(b, "w", 4, 4, 3, 1, 1), null, [3, 1, 1], pads: [1, 0, 0, 1, 0, 0]), ("x", [2, 4, 14, 8, 8]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (3, 3), (4, 4) }, Pairs(unit, LinkKind.Exact));
        Assert.Contains((2, 2), Pairs(unit, LinkKind.Correspondence));
    }

    [Fact]
    public void GroupNormPattern_IsOneUnit_BatchExact_SpatialTwoPass_ChannelsNever()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "b", 64, "f", 8, 8);
        var y = b.GroupNorm(x, 32, Weight(b, "gamma", 64, 1, 1, 1), Weight(b, "beta", 64, 1, 1, 1), 1e-6f);
        var model = b;
        b.Output(y);
        var built = model.Build();
        var shapes = GraphShapes.Infer(built, new Dictionary<string, TensorInfo> { ["x"] = new(OnnxElementType.Float, [2, 64, 14, 8, 8]) });
        var units = AnalysisNode.Build(shapes, 17);
        var norm = units.Single(u => u.OpType == "GroupNorm");
        Assert.Equal(3, norm.Members.Count);
        Assert.Equal(32, norm.Norm!.Groups);
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0) }, Pairs(norm, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3), (4, 4) }, Pairs(norm, LinkKind.TwoPass));
        Assert.DoesNotContain(norm.Links, l => l.Axes[0] == 1);
    }

    [Fact]
    public void LayerNorm_CutsOnlyAxesBeforeTheNormalisedOnes()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", "l", 16);
        var unit = Unit(b, b.LayerNormalization(x, Weight(b, "s", 16), Weight(b, "bias", 16)), ("x", [4, 10, 16]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void MatMul_RowsOfA_ColumnsOfB_Batch_NeverTheContractedAxis()
    {
        var b = new GraphBuilder("g");
        var q = b.Input("q", OnnxElementType.Float, "n", "h", "l", 8);
        var k = b.Input("k", OnnxElementType.Float, "n", "h", 8, "m");
        b.Output(b.MatMul(q, k), "s");
        var model = b.Build();
        var shapes = GraphShapes.Infer(model, new Dictionary<string, TensorInfo>
        {
            ["q"] = new(OnnxElementType.Float, [2, 3, 5, 8]),
            ["k"] = new(OnnxElementType.Float, [2, 3, 8, 7]),
        });
        var unit = AnalysisNode.Build(shapes, 17).Single(u => u.OpType == "MatMul");
        var links = unit.Links.Select(l => (l.Axes[0], l.Axes[1], l.Axes[2])).ToHashSet();
        Assert.Equal(new HashSet<(int?, int?, int?)> { (2, null, 2), (null, 3, 3), (0, 0, 0), (1, 1, 1) }, links);
    }

    [Fact]
    public void Softmax_NeverAlongItsAxis()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", "l", "m");
        var unit = Unit(b, b.Softmax(x, -1), ("x", [2, 5, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void Reshape_Merge_OutermostMemberCuts_InnerOnlyCorresponds()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", "l", 32);
        var unit = Unit(b, b.Reshape(x, -1, 32), ("x", [28, 64, 32]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (2, 1) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (1, 0) }, Pairs(unit, LinkKind.Correspondence));
    }

    [Fact]
    public void Reshape_Split_FirstMemberCuts()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "bf", 32, 4, 4);
        var unit = Unit(b, b.Reshape(x, 2, 14, 32, 4, 4), ("x", [28, 32, 4, 4]));
        Assert.Contains((0, 0), Pairs(unit, LinkKind.Exact));
        Assert.Contains((0, 1), Pairs(unit, LinkKind.Correspondence));
        Assert.DoesNotContain((0, 1), Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void Transpose_MovesTheAxisByPerm()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "a", "b", "c");
        var unit = Unit(b, b.Transpose(x, 2, 0, 1), ("x", [2, 3, 4]));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 0), (0, 1), (1, 2) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void Concat_AnyAxisButItsOwn()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 3);
        var y = b.Input("y", OnnxElementType.Float, "n", 5, 3);
        b.Output(b.Concat(1, x, y), "z");
        var model = b.Build();
        var shapes = GraphShapes.Infer(model, new Dictionary<string, TensorInfo>
        {
            ["x"] = new(OnnxElementType.Float, [6, 4, 3]),
            ["y"] = new(OnnxElementType.Float, [6, 5, 3]),
        });
        var unit = AnalysisNode.Build(shapes, 17).Single(u => u.OpType == "Concat");
        Assert.Equal(new HashSet<(int?, int?, int?)> { (0, 0, 0), (2, 2, 2) }, unit.Links.Select(l => (l.Axes[0], l.Axes[1], l.Axes[2])).ToHashSet());
    }

    [Fact]
    public void Slice_OnlyAxesItDoesNotTouch()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 8, 6);
        var unit = Unit(b, b.Slice(x, [2], [5], [1]), ("x", [4, 8, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (2, 2) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void Gather_DataAxesOtherThanTheGatherAxis()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 8, 6);
        var unit = Unit(b, b.Gather(x, 0, axis: 1), ("x", [4, 8, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (2, 1) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void ResizeNearest_AxesWithScaleOne()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 8, 8);
        var unit = Unit(b, b.ResizeNearest(x, [1, 1, 2, 2]), ("x", [3, 4, 8, 8]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (1, 1) }, Pairs(unit, LinkKind.Exact));
        Assert.Equal(new HashSet<(int?, int?)> { (2, 2), (3, 3) }, Pairs(unit, LinkKind.Correspondence));
    }

    [Fact]
    public void ReduceMean_AxesNotReduced()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 8, 6);
        var unit = Unit(b, b.ReduceMean(x, [1], keepDims: false), ("x", [4, 8, 6]));
        Assert.Equal(new HashSet<(int?, int?)> { (0, 0), (2, 1) }, Pairs(unit, LinkKind.Exact));
    }

    [Fact]
    public void Elementwise_BroadcastInputIsUsedWhole()
    {
        var b = new GraphBuilder("g");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 8, 8);
        var bias = Weight(b, "bias", 4, 1, 1);
        var unit = Unit(b, b.Add(x, bias), ("x", [6, 4, 8, 8]));
        var byAxis = unit.Links.ToDictionary(l => l.Axes[2]!.Value, l => (l.Axes[0], l.Axes[1]));
        Assert.Equal((0, (int?)null), byAxis[0]);
        Assert.Equal((1, (int?)0), byAxis[1]);
        Assert.Equal((2, (int?)null), byAxis[2]);
    }

    [Fact]
    public void UnknownOperator_HasNoLinks()
    {
        Assert.Null(OperatorRegistry.Find("TopK")!.Cut);
        Assert.Null(OperatorRegistry.Find("com.microsoft.MultiHeadAttention"));
        Assert.NotNull(OperatorRegistry.Find("Conv")!.Cut);
    }
}
