using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Onnx;

public class GraphViewTests
{
    [Fact]
    public void ProducersConsumersAndOrder()
    {
        var (model, mid, skip) = TestModels.SmallCnn(new TestRandom());
        var g = model.Graph;
        Assert.Equal("Mul", g.GetProducer(mid)!.OpType);
        Assert.Equal("Conv", g.GetProducer(skip)!.OpType);
        // conv_in's output feeds GroupNorm's Reshape, its Shape and the residual Add.
        Assert.Contains(g.GetConsumers(skip), n => n.OpType == "Add");
        Assert.Contains(g.GetConsumers(skip), n => n.OpType == "Shape");
        foreach (var node in g.Nodes)
        {
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
            {
                var producer = g.GetProducer(input);
                Assert.True(producer is null || producer.Index < node.Index, $"{input} is produced after {node}");
            }
        }
        Assert.True(g.IsInitializer("conv_in.weight"));
        Assert.True(g.IsConstant(g.Nodes.First(n => n.OpType == "Constant").Outputs[0]));
        Assert.Single(g.Inputs);
        Assert.Equal("y", Assert.Single(g.Outputs).Name);
    }

    [Fact]
    public void ShuffledNodes_AreSortedTopologically()
    {
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        var proto = model.Proto.Clone();
        var nodes = proto.Graph.Node.Reverse().ToList();
        proto.Graph.Node.Clear();
        proto.Graph.Node.AddRange(nodes);
        var g = OnnxModel.FromProto(proto).Graph;
        var seen = new HashSet<string>(g.Initializers.Keys.Concat(g.Inputs.Select(i => i.Name)));
        foreach (var node in g.Nodes)
        {
            Assert.All(node.Inputs.Where(i => i.Length > 0), i => Assert.Contains(i, seen));
            seen.UnionWith(node.Outputs);
        }
    }

    [Fact]
    public void SubgraphOuterScopeNames_AreReported()
    {
        var b = new GraphBuilder("with_if");
        var x = b.Input("x", OnnxElementType.Float, 4);
        var cond = b.Input("cond", OnnxElementType.Bool);
        var doubled = b.Add(x, x);
        var body = new GraphProto { Name = "then" };
        body.Node.Add(new NodeProto { OpType = "Neg", Input = { doubled.Name }, Output = { "neg" } });
        body.Output.Add(new ValueInfoProto { Name = "neg", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var elseBody = new GraphProto { Name = "else" };
        elseBody.Node.Add(new NodeProto { OpType = "Identity", Input = { x.Name }, Output = { "same" } });
        elseBody.Output.Add(new ValueInfoProto { Name = "same", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var y = b.Node("If", [cond], 1, [
            new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = body },
            new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBody }])[0];
        b.Output(y, "y");
        var g = b.Build().Graph;
        var ifNode = g.Nodes.Single(n => n.OpType == "If");
        Assert.Equal(new[] { doubled.Name, "x" }.Order(), g.GetImplicitInputs(ifNode).Order());
        Assert.Contains(ifNode, g.GetConsumers(doubled.Name));
        Assert.Equal([doubled.Name], ifNode.Subgraphs[0].OuterScopeNames);
    }

    [Fact]
    public void Builder_NamesNodesLikeTorchScript_AndWritesGroupNormPattern()
    {
        var (model, _, _) = TestModels.SmallCnn(new TestRandom());
        var names = model.Proto.Graph.Node.Select(n => n.Name).ToList();
        Assert.Contains("/conv_in/Conv", names);
        Assert.Contains("/block/norm1/InstanceNormalization", names);
        Assert.Contains("/block/norm1/Reshape", names);
        Assert.Contains("/block/norm1/Reshape_1", names);
        var inorm = model.Proto.Graph.Node.Single(n => n.OpType == "InstanceNormalization");
        var reshape = model.Graph.GetProducer(inorm.Input[0])!;
        Assert.Equal("Reshape", reshape.OpType);
        var target = model.Graph.GetProducer(reshape.Inputs[1])!.GetTensor("value")!;
        Assert.Equal(new long[] { 0, 32, -1 }, TensorValues.ToInt64(target.RawData.Span, OnnxElementType.Int64));
    }
}
