using Fme.MLNet.Onnx;
using Fme.MLNet.Rehash;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Rehash;

/// <summary>The full and shallow models against plain ONNX Runtime on the whole UNet, fresh random inputs each time.</summary>
public class RehashModelsTests
{
    private const int Frames = 3, Latent = 16;

    [Fact]
    public void ShallowModel_GivenTheTrueDeepTensor_ReproducesTheUnet_AtEveryDepth()
    {
        var rng = new TestRandom();
        var unet = RehashTestModels.TinyUnet;
        var inputs = RehashTestModels.Inputs(rng, Frames, Latent);
        var structure = UnetSkipStructure.Find(unet, RehashTestModels.Shapes(Frames, Latent));
        var deepTensors = Enumerable.Range(1, structure.Levels.Count).Select(structure.DeepTensor).ToList();
        // The whole UNet with every depth's deep tensor exposed: the reference output and the true deep tensors in one run.
        var whole = RehashTestModels.RunPlain(SubModelExtractor.Extract(unet, [.. inputs.Keys], ["out_sample", .. deepTensors]), inputs);
        var shallowNodes = new List<int>();
        foreach (var depth in Enumerable.Range(1, deepTensors.Count))
        {
            var models = RehashModels.Build(unet, structure, depth);
            var withDeep = new Dictionary<string, (float[], long[])>(inputs) { [models.DeepTensor] = (whole[models.DeepTensor], structure.MainInfos[models.DeepTensor].Dims) };
            var shallow = RehashTestModels.RunPlain(models.Shallow, withDeep)["out_sample"];
            Compare.Close(shallow, whole["out_sample"], 1e-5, $"shallow model at depth {depth} ({rng})");
            shallowNodes.Add(models.Shallow.Proto.Graph.Node.Count);
        }
        // Each level deeper recomputes more of the UNet, and even the deepest cut leaves the middle block out.
        Assert.True(shallowNodes.Zip(shallowNodes.Skip(1)).All(p => p.First < p.Second), string.Join(", ", shallowNodes));
        Assert.True(shallowNodes[^1] < unet.Graph.Nodes.Count);
    }

    [Fact]
    public void ShallowModel_ThroughTheStreamlinedExecutor_MatchesTheFullModel()
    {
        var rng = new TestRandom();
        var unet = RehashTestModels.TinyUnet;
        var inputs = RehashTestModels.Inputs(rng, Frames, Latent);
        var structure = UnetSkipStructure.Find(unet, RehashTestModels.Shapes(Frames, Latent));
        var models = RehashModels.Build(unet, structure, 1);
        var full = RehashTestModels.RunPlain(models.Full, inputs);
        var options = new StreamlineOptions { FrameChunks = 3, PixelChunks = 4, MinimumCutBytes = 0 };
        using var session = StreamlinedSession.Create(models.Shallow, options);
        var withDeep = new Dictionary<string, (float[], long[])>(inputs) { [models.DeepTensor] = (full[models.DeepTensor], structure.MainInfos[models.DeepTensor].Dims) };
        var actual = Oracle.Streamlined(session, withDeep)["out_sample"];
        Compare.Close(actual, full["out_sample"], 1e-5, $"streamlined shallow model ({rng}) with plan\n{session.Plan}");
        Assert.Contains(session.Plan!.Groups, g => g.Pieces > 1);
    }

    [Fact]
    public void ShallowModel_HoldsOnlyTheOutermostLevel_AndNamesDoNotMatter()
    {
        var unet = RehashTestModels.TinyUnet;
        var shapes = RehashTestModels.Shapes(Frames, Latent);
        var models = RehashModels.Build(unet, UnetSkipStructure.Find(unet, shapes), 1);
        var names = models.Shallow.Proto.Graph.Node.Select(n => n.Name).ToList();
        Assert.Contains(names, n => n.Contains("/up_blocks.3/"));
        Assert.Contains(names, n => n.Contains("/down_blocks.0/"));
        Assert.DoesNotContain(names, n => n.Contains("/mid_block/") || n.Contains("/down_blocks.1/") || n.Contains("/up_blocks.2/"));
        Assert.Equal([.. unet.Graph.Inputs.Select(i => i.Name), models.DeepTensor], models.Shallow.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["out_sample", models.DeepTensor], models.Full.Graph.Outputs.Select(o => o.Name));

        var anonymous = RehashTestModels.Anonymous(unet, dropValueInfo: true);
        var fromAnonymous = RehashModels.Build(anonymous, UnetSkipStructure.Find(anonymous, shapes), 1);
        Assert.Equal(models.DeepTensor, fromAnonymous.DeepTensor);
        Assert.Equal(models.Shallow.Proto.Graph.Node.Select(n => n.Output[0]), fromAnonymous.Shallow.Proto.Graph.Node.Select(n => n.Output[0]));
        // Without value_info the deep tensor's type comes from shape inference: float, rank 4, sizes left open.
        var declared = fromAnonymous.Shallow.Graph.Inputs[^1].Type.TensorType;
        Assert.Equal((int)OnnxElementType.Float, declared.ElemType);
        Assert.Equal(4, declared.Shape.Dim.Count);
    }
}
