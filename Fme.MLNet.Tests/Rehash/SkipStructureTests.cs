using Fme.MLNet.Onnx;
using Fme.MLNet.Rehash;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Rehash;

/// <summary>Finding the UNet's skip connections and resolution levels from the graph alone.</summary>
public class SkipStructureTests
{
    [Fact]
    public void TinyUnet_HasFourLevelsOfThreeSkipConcats_OutermostFirst()
    {
        var model = RehashTestModels.TinyUnet;
        var structure = UnetSkipStructure.Find(model, RehashTestModels.Shapes(3, 16));
        Assert.Equal([(16L, 16L), (8, 8), (4, 4), (2, 2)], structure.Levels.Select(l => (l.Height, l.Width)));
        Assert.All(structure.Levels, l => Assert.Equal(3, l.Concats.Count));

        // The names the graph builder gave the nodes (not used by the search) say where each level sits.
        string NodeOf(string tensor) => model.Graph.GetProducer(tensor)!.Name;
        string ConcatName(SkipConcat c) => model.Graph.Nodes[c.NodeIndex].Name;
        Assert.All(structure.Levels.Select((l, i) => (l, i)), p => Assert.All(p.l.Concats, c => Assert.Contains($"up_blocks.{3 - p.i}/", ConcatName(c))));
        Assert.Contains("/conv_in/", NodeOf(structure.Levels[0].Concats[^1].Skip));
        Assert.Contains("/up_blocks.2/", NodeOf(structure.DeepTensor(1)));
        Assert.Contains("/mid_block/", NodeOf(structure.DeepTensor(4)));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => structure.DeepTensor(5));
        Assert.Contains("between 1 and 4", e.Message);
    }

    [Fact]
    public void WithNodeNamesAndValueInfoRemoved_TheSameSplitIsFound()
    {
        var shapes = RehashTestModels.Shapes(2, 8);
        var named = UnetSkipStructure.Find(RehashTestModels.TinyUnet, shapes);
        var anonymous = UnetSkipStructure.Find(RehashTestModels.Anonymous(RehashTestModels.TinyUnet, dropValueInfo: true), shapes);
        Assert.Equal(named.Levels.SelectMany(l => l.Concats), anonymous.Levels.SelectMany(l => l.Concats));
        Assert.Equal(Enumerable.Range(1, 4).Select(named.DeepTensor), Enumerable.Range(1, 4).Select(anonymous.DeepTensor));
    }

    [Fact]
    public void GraphWithoutSkipConcats_IsRefusedClearly()
    {
        // A residual CNN (its skip is an Add) plus a Concat of two sibling branches: neither is a skip concatenation.
        var rng = new TestRandom();
        var (cnn, _, _) = TestModels.SmallCnn(rng);
        var b = new GraphBuilder("siblings");
        var x = b.Input("x", OnnxElementType.Float, "batch", 4, "height", "width");
        var left = b.Relu(x);
        var right = b.Sigmoid(x);
        b.Output(b.Concat(1, left, right), "y");
        foreach (var (model, shape) in new[] { (cnn, new long[] { 1, 32, 8, 8 }), (b.Build(), [1, 4, 8, 8]) })
        {
            var e = Assert.Throws<RehashException>(() => UnetSkipStructure.Find(model, new Dictionary<string, long[]> { ["x"] = shape }));
            Assert.Contains("cannot apply", e.Message);
            Assert.Contains("no skip concatenation", e.Message);
            Assert.Contains("without StepRehash", e.Message);
        }
    }

    [Fact]
    public void MissingInputShape_IsNamed()
    {
        var shapes = RehashTestModels.Shapes(2, 8);
        shapes.Remove("added_time_ids");
        var e = Assert.Throws<ArgumentException>(() => UnetSkipStructure.Find(RehashTestModels.TinyUnet, shapes));
        Assert.Contains("'added_time_ids'", e.Message);
    }
}
