using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Onnx;

public class ExtractionTests
{
    [Fact]
    public void SubModel_EqualsTheSameTensorOfTheWholeModel()
    {
        var rng = new TestRandom();
        using var dir = new TempFolder();
        var (model, mid, skip) = TestModels.SmallCnn(rng);
        var path = dir.File("model.onnx");
        model.Save(path);
        var loaded = OnnxModel.Load(path);

        // The whole model with the intermediate tensor exposed as an extra output.
        var exposed = loaded.Proto.Clone();
        exposed.Graph.Output.Add(loaded.Graph.GetValueInfo(mid)!.Clone());
        var exposedPath = dir.File("exposed.onnx");
        OnnxModel.FromProto(exposed, dir.Path).Save(exposedPath, new OnnxSaveOptions { KeepExistingExternalData = true });

        var head = SubModelExtractor.Extract(loaded, ["x"], [mid]);
        var tail = SubModelExtractor.Extract(loaded, [skip, mid], ["y"]);
        Assert.True(head.Proto.Graph.Node.Count + tail.Proto.Graph.Node.Count <= loaded.Proto.Graph.Node.Count + 2);
        Assert.DoesNotContain(head.Proto.Graph.Node, n => n.Name.StartsWith("/attn"));
        Assert.DoesNotContain(tail.Proto.Graph.Node, n => n.Name.StartsWith("/conv_in"));
        // External weights are referenced, not copied.
        Assert.All(head.Proto.Graph.Initializer.Where(t => t.Dims.Aggregate(1L, (a, d) => a * d) * 4 >= 1024), t => Assert.True(t.IsExternal()));
        var headPath = dir.File("head.onnx");
        var tailPath = dir.File("tail.onnx");
        head.Save(headPath, new OnnxSaveOptions { KeepExistingExternalData = true });
        tail.Save(tailPath, new OnnxSaveOptions { KeepExistingExternalData = true });

        var x = rng.Normal(3 * 32 * 6 * 6);
        var whole = TestModels.RunPlain(exposedPath, new Dictionary<string, (float[], int[])> { ["x"] = (x, [3, 32, 6, 6]) }, mid, "y");
        var headOut = TestModels.RunPlain(headPath, new Dictionary<string, (float[], int[])> { ["x"] = (x, [3, 32, 6, 6]) })[mid];
        Assert.Equal(whole[mid], headOut);
        var skipOut = TestModels.RunPlain(SaveSub(loaded, ["x"], [skip], dir.File("skip.onnx")), new Dictionary<string, (float[], int[])> { ["x"] = (x, [3, 32, 6, 6]) })[skip];
        var tailOut = TestModels.RunPlain(tailPath, new Dictionary<string, (float[], int[])> { [skip] = (skipOut, [3, 32, 6, 6]), [mid] = (headOut, [3, 32, 6, 6]) })["y"];
        Assert.Equal(whole["y"], tailOut);
    }

    private static string SaveSub(OnnxModel model, string[] inputs, string[] outputs, string path)
    {
        SubModelExtractor.Extract(model, inputs, outputs).Save(path, new OnnxSaveOptions { KeepExistingExternalData = true });
        return path;
    }

    [Fact]
    public void ShapeChains_AreExtractedWithTheirConsumers()
    {
        var rng = new TestRandom();
        var (model, mid, skip) = TestModels.SmallCnn(rng);
        var tail = SubModelExtractor.Extract(model, [skip, mid], ["y"]);
        // The attention block reads Shape(h) for its final Reshape: the chain must come along.
        Assert.Contains(tail.Proto.Graph.Node, n => n.OpType == "Shape");
        _ = tail.Graph; // validates: every input is defined
    }

    [Fact]
    public void OpenCut_NamesTheMissingTensor()
    {
        var rng = new TestRandom();
        var (model, mid, _) = TestModels.SmallCnn(rng);
        // From 'mid' alone the residual Add still needs conv_in's output, which comes from graph input 'x'.
        var e = Assert.Throws<OnnxFormatException>(() => SubModelExtractor.Extract(model, [mid], ["y"]));
        Assert.Contains("not closed", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void UnknownNames_AreRefused()
    {
        var rng = new TestRandom();
        var (model, _, _) = TestModels.SmallCnn(rng);
        var e = Assert.Throws<OnnxFormatException>(() => SubModelExtractor.Extract(model, ["x"], ["no_such_tensor"]));
        Assert.Contains("'no_such_tensor'", e.Message);
    }
}
