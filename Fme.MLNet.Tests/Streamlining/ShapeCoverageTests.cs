using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Tests.Streamlining;

/// <summary>
/// Operators the registry has no rule for still get shapes (from ONNX Runtime), subgraph operators run whole in a group
/// of their own while the rest is planned, and the plan says what runs whole and why.
/// </summary>
public class ShapeCoverageTests
{
    private static readonly StreamlineOptions Forced = new() { FrameChunks = 2, PixelChunks = 3, MinimumCutBytes = 0, CutEverywhere = true };

    private static (float[], long[]) Data(TestRandom rng, params long[] dims) => (rng.Normal(dims.Aggregate(1L, (a, d) => a * d)), dims);

    private static GraphProto Branch(string name, string op, string input)
    {
        var g = new GraphProto { Name = name };
        g.Node.Add(new NodeProto { OpType = op, Input = { input }, Output = { name + "_out" } });
        g.Output.Add(new ValueInfoProto { Name = name + "_out", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        return g;
    }

    [Fact]
    public void IfSubgraph_RunsWholeInItsOwnGroup_WhileTheRestIsCut()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("with_if");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 6, 6);
        var h = b.Relu(b.Mul(x, b.Initializer("m", rng.Normal(4 * 36), 4, 6, 6)));
        var cond = b.Node("Greater", [b.ReduceMean(x, [0, 1, 2, 3], keepDims: false), b.ConstantFloat([0f])], 1, null, [OnnxElementType.Bool])[0];
        var y = b.Node("If", [cond], 1, [
            new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("then", "Neg", h.Name) },
            new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = Branch("else", "Sigmoid", h.Name) }], [OnnxElementType.Float])[0];
        b.Output(b.Tanh(b.Add(y, x)), "y");
        var plan = Oracle.AssertSame(b.Build(), Forced, new Dictionary<string, (float[], long[])> { ["x"] = Data(rng, 4, 4, 6, 6) }, rng);
        var ifGroup = Assert.Single(plan.Groups, g => g.Operators.Contains("/If"));
        Assert.True(ifGroup.Operators is ["/If"], plan.ToString());
        Assert.Equal(1, ifGroup.Pieces);
        Assert.Null(plan.UnslicedReason);
        Assert.True(plan.Groups.Any(g => g.Pieces > 1 && g.Operators.Contains("/Relu")), plan.ToString());
        Assert.True(plan.Groups.Any(g => g.Pieces > 1 && g.Operators.Contains("/Tanh")), plan.ToString());
    }

    [Fact]
    public void ComMicrosoftOperator_GetsItsShapeFromOnnxRuntime_AndTheRestIsCut()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("with_contrib");
        var x = b.Input("x", OnnxElementType.Float, "n", 8, 16);
        var w = b.Initializer("w", rng.Normal(16 * 12, 0.3f), 16, 12);
        var fused = b.Node("FusedMatMul", [b.Relu(x), w], 1, [Attr.Float("alpha", 0.5f)], null, "com.microsoft")[0];
        b.Output(b.Tanh(fused), "y");
        var built = b.Build();
        var proto = built.Proto.Clone();
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        var model = OnnxModel.FromProto(proto);
        var plan = Oracle.AssertSame(model, Forced, new Dictionary<string, (float[], long[])> { ["x"] = Data(rng, 4, 8, 16) }, rng);
        Assert.True(plan.UnslicedReason is null, plan.ToString());
        // The operator without a rule runs whole (its shape came from ONNX Runtime); what reads it is still cut.
        Assert.Equal(1, Assert.Single(plan.Groups, g => g.Operators.Contains("/FusedMatMul")).Pieces);
        Assert.True(Assert.Single(plan.Groups, g => g.Operators.Contains("/Tanh")).Pieces > 1, plan.ToString());
    }

    [Fact]
    public void NonZero_StopsPlanning_AndThePlanSaysWhy()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("with_nonzero");
        var x = b.Input("x", OnnxElementType.Float, "n", 4, 6, 6);
        var h = b.Relu(b.Mul(x, b.Initializer("m", rng.Normal(4 * 36), 4, 6, 6)));
        b.Output(h, "h");
        b.Output(b.Node("NonZero", [h], 1, null, [OnnxElementType.Int64])[0], "nz");
        var model = b.Build();
        using var session = StreamlinedSession.Create(model, Forced);
        var (data, dims) = Data(rng, 4, 4, 6, 6);
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(data, dims);
        using var outputs = session.Run(new Dictionary<string, Microsoft.ML.OnnxRuntime.OrtValue> { ["x"] = input });
        var plan = session.Plan!;
        // Known gap: the whole graph then runs unsliced, the part upstream of NonZero included.
        Assert.Contains("'/NonZero' (NonZero): the shape of its output depends on the data", plan.UnslicedReason);
        Assert.Contains("depends on the data", plan.UnslicedReason);
    }
}
