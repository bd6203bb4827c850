using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Streamlining.Planning;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Streamlining;

public class EngineBehaviourTests
{
    private static OnnxModel PlainCnn(TestRandom rng)
    {
        var b = new GraphBuilder("cnn");
        var x = b.Input("images", OnnxElementType.Float, "batch", 3, 16, 16);
        GraphValue W(string n, params long[] d) => b.Initializer(n, rng.Normal(d.Aggregate(1L, (a, v) => a * v), 0.3f), d);
        var h = b.Relu(b.Conv(x, W("c1", 16, 3, 3, 3), W("b1", 16), [3, 3], pads: [1, 1, 1, 1]));
        h = b.Relu(b.Conv(h, W("c2", 16, 16, 3, 3), W("b2", 16), [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]));
        h = b.Node1("GlobalAveragePool", [h]);
        h = b.Node1("Flatten", [h], Attr.Int("axis", 1));
        b.Output(b.Gemm(h, W("fc", 10, 16), W("fcb", 10), transB: true), "logits");
        return b.Build();
    }

    [Fact]
    public void PlainCnn_IsCutAlongBatch()
    {
        var rng = new TestRandom();
        var inputs = new Dictionary<string, (float[], long[])> { ["images"] = (rng.Normal(8 * 3 * 16 * 16), [8, 3, 16, 16]) };
        var plan = Oracle.AssertSame(PlainCnn(rng), new StreamlineOptions { FrameChunks = 4, MinimumCutBytes = 0, CutEverywhere = true }, inputs, rng);
        var cut = Assert.Single(plan.Groups, g => g.Pieces > 1);
        Assert.Equal(CutKind.Batch, cut.Kind);
        Assert.Equal(4, cut.Pieces);
        Assert.Equal(0, cut.CutAxis);
    }

    [Fact]
    public void ModelWithNothingToCut_RunsAsOneGroup()
    {
        var rng = new TestRandom();
        var b = new GraphBuilder("flat");
        var x = b.Input("x", OnnxElementType.Float, 1, 64);
        var w = b.Initializer("w", rng.Normal(64 * 64), 64, 64);
        b.Output(b.Softmax(b.MatMul(b.Tanh(x), w), -1), "y");
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(64), [1, 64]) };
        var model = b.Build();
        var expected = Oracle.Plain(model, inputs)["y"];
        using var session = StreamlinedSession.Create(model, new StreamlineOptions { MinimumCutBytes = 0, CutEverywhere = true });
        var actual = Oracle.Streamlined(session, inputs)["y"];
        Assert.Equal(expected, actual);
        var group = Assert.Single(session.Plan!.Groups);
        Assert.Equal(CutKind.None, group.Kind);
        Assert.Equal(1, group.Pieces);
    }

    [Fact]
    public void AfterARun_OnlyTheOutputsAreHeld()
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        using var session = StreamlinedSession.Create(model, new StreamlineOptions { FrameChunks = 7, PixelChunks = 7, MinimumCutBytes = 0, CutEverywhere = true });
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(2 * 32 * 8 * 8), [2, 32, 8, 8]) };
        Oracle.Streamlined(session, inputs);
        Assert.True(session.Plan!.Groups.Count > 1);
        Assert.Equal(["y"], session.HeldAfterLastRun);
    }

    [Fact]
    public void UnevenPieces_AreLargerFirst()
    {
        var group = new PlannedGroup(0, [], CutKind.Frames, 4, 14, new Dictionary<string, int>(), [], [], [], [],
            new Dictionary<Fme.MLNet.Streamlining.Analysis.AnalysisNode, Fme.MLNet.Streamlining.Analysis.CutLink>());
        Assert.Equal([(0L, 4L), (4L, 4L), (8L, 3L), (11L, 3L)], group.PieceRanges());
    }

    [Fact]
    public void PlanIsTheSame_WithEveryNodeNameRemoved()
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var anonymous = model.Proto.Clone();
        foreach (var node in anonymous.Graph.Node)
        {
            node.Name = "";
        }
        var options = new StreamlineOptions { FrameChunks = 7, PixelChunks = 7, MinimumCutBytes = 0, CutEverywhere = true };
        var shapes = new Dictionary<string, long[]> { ["x"] = [2, 32, 8, 8] };
        using var named = StreamlinedSession.Create(model, options);
        using var unnamed = StreamlinedSession.Create(OnnxModel.FromProto(anonymous), options);
        var a = named.GetPlan(shapes);
        var b = unnamed.GetPlan(shapes);
        Assert.Equal(a.Groups.Select(g => (g.Kind, g.Pieces, g.Operators.Count, g.CutAxis)), b.Groups.Select(g => (g.Kind, g.Pieces, g.Operators.Count, g.CutAxis)));
        Assert.Equal(a.PredictedPeakStreamlinedBytes, b.PredictedPeakStreamlinedBytes);
        var inputs = new Dictionary<string, (float[], long[])> { ["x"] = (rng.Normal(2 * 32 * 8 * 8), [2, 32, 8, 8]) };
        Assert.Equal(Oracle.Streamlined(named, inputs)["y"], Oracle.Streamlined(unnamed, inputs)["y"]);
    }

    [Fact]
    public void InputOfTheWrongShape_IsRefusedWithBothShapes()
    {
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        using var session = StreamlinedSession.Create(model);
        var e = Assert.Throws<ArgumentException>(() => session.GetPlan(new Dictionary<string, long[]> { ["x"] = [2, 16, 8, 8] }));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("[batch, 32, height, width]", e.Message);
        Assert.Contains("[2, 16, 8, 8]", e.Message);
    }

    [Fact]
    public void PlanSerialisesToJsonAndBack()
    {
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        using var session = StreamlinedSession.Create(model, new StreamlineOptions { MinimumCutBytes = 0, CutEverywhere = true });
        var plan = session.GetPlan(new Dictionary<string, long[]> { ["x"] = [2, 32, 8, 8] });
        var json = plan.ToJson();
        var back = StreamlinedPlan.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"kind\": \"Pixels\"", json);
        Assert.Contains("Predicted peak activations", plan.ToString());
    }
}
