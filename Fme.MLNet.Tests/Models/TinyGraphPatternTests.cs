using Fme.MLNet.Models;
using Fme.MLNet.Onnx;

namespace Fme.MLNet.Tests.Models;

/// <summary>The tiny graphs carry the patterns of a TorchScript export of SVD, which the streamlined executor analyses.</summary>
public class TinyGraphPatternTests
{
    private static readonly Lazy<OnnxGraph> Unet = new(() => TinySvd.Build(SvdNetworkKind.Unet).Graph);
    private static readonly Lazy<OnnxGraph> Decoder = new(() => TinySvd.Build(SvdNetworkKind.VaeDecoder).Graph);

    private static OnnxNode Node(OnnxGraph g, string name) =>
        g.Nodes.SingleOrDefault(n => n.Name == name) ?? throw new Xunit.Sdk.XunitException($"no node named {name}");

    private static OnnxNode Producer(OnnxGraph g, OnnxNode node, int input) =>
        g.GetProducer(node.Inputs[input]) ?? throw new Xunit.Sdk.XunitException($"input {input} of {node} has no producer");

    private static long[] ConstantInts(OnnxGraph g, string tensor)
    {
        var t = g.GetProducer(tensor)?.GetTensor("value") ?? g.GetInitializer(tensor);
        return TensorValues.ToInt64(t.RawData.Span, (OnnxElementType)t.DataType);
    }

    [Theory]
    [InlineData("unet", "/down_blocks.0/resnets.0/spatial_res_block/norm1", 4, 1e-6f)]
    [InlineData("unet", "/down_blocks.0/resnets.0/temporal_res_block/norm2", 5, 1e-6f)]
    [InlineData("unet", "/down_blocks.3/resnets.1/spatial_res_block/norm1", 4, 1e-5f)]
    [InlineData("unet", "/down_blocks.3/resnets.1/temporal_res_block/norm1", 5, 1e-5f)]
    [InlineData("unet", "/mid_block/resnets.0/temporal_res_block/norm1", 5, 1e-5f)]
    [InlineData("unet", "/mid_block/attentions.0/norm", 4, 1e-6f)]
    [InlineData("unet", "/up_blocks.0/resnets.2/spatial_res_block/norm2", 4, 1e-6f)]
    [InlineData("unet", "/up_blocks.3/resnets.0/temporal_res_block/norm1", 5, 1e-6f)]
    [InlineData("unet", "/conv_norm_out", 4, 1e-5f)]
    [InlineData("vae_decoder", "/decoder/mid_block/resnets.0/spatial_res_block/norm1", 4, 1e-6f)]
    [InlineData("vae_decoder", "/decoder/up_blocks.3/resnets.2/temporal_res_block/norm2", 5, 1e-5f)]
    [InlineData("vae_decoder", "/decoder/mid_block/attentions.0/group_norm", 3, 1e-6f)]
    public void GroupNorm_IsReshapeInstanceNormReshapeMulAdd(string network, string module, int rank, float epsilon)
    {
        var g = network == "unet" ? Unet.Value : Decoder.Value;
        var norm = Node(g, module + "/InstanceNormalization");
        Assert.Equal(epsilon, norm.GetFloat("epsilon", 0));
        var grouping = Producer(g, norm, 0);
        Assert.Equal("Reshape", grouping.OpType);
        Assert.Equal(new long[] { 0, 32, -1 }, ConstantInts(g, grouping.Inputs[1]));
        var restore = Assert.Single(g.GetConsumers(norm.Outputs[0]));
        Assert.Equal("Reshape", restore.OpType);
        Assert.Equal("Shape", Producer(g, restore, 1).OpType);
        Assert.Equal(grouping.Inputs[0], Producer(g, restore, 1).Inputs[0]);
        var mul = Assert.Single(g.GetConsumers(restore.Outputs[0]));
        Assert.Equal("Mul", mul.OpType);
        // gamma is [C, 1, ...] with rank(x) - 1 axes, so the input's rank is known from it.
        Assert.Equal(rank - 1, g.GetInitializer(mul.Inputs[1]).Dims.Count);
        Assert.Equal("Add", Assert.Single(g.GetConsumers(mul.Outputs[0])).OpType);
    }

    [Fact]
    public void TemporalConvolutions_AreConvWithKernel311()
    {
        foreach (var (g, expected) in new[] { (Unet.Value, 44), (Decoder.Value, 29) })
        {
            var temporal = g.Nodes.Where(n => n.OpType == "Conv" && n.GetInts("kernel_shape")!.Length == 3).ToList();
            Assert.Equal(expected, temporal.Count);
            Assert.All(temporal, n =>
            {
                Assert.Equal(new long[] { 3, 1, 1 }, n.GetInts("kernel_shape"));
                Assert.Equal(new long[] { 1, 0, 0, 1, 0, 0 }, n.GetInts("pads"));
                Assert.True(n.Name.Contains("/temporal_res_block/conv") || n.Name == "/decoder/time_conv_out/Conv", n.Name);
                Assert.Equal(5, g.GetInitializer(n.Inputs[1]).Dims.Count);
            });
        }
    }

    [Theory]
    [InlineData("/down_blocks.0/resnets.0/Reshape")]
    [InlineData("/down_blocks.1/attentions.1/temporal_transformer_blocks.0/Reshape_1")]
    [InlineData("/mid_block/attentions.0/transformer_blocks.0/attn2/Reshape")]
    [InlineData("/up_blocks.2/attentions.0/Reshape")]
    public void ReshapeTargets_AreComputedFromShape(string name)
    {
        var g = Unet.Value;
        var target = Producer(g, Node(g, name), 1);
        Assert.Equal("Concat", target.OpType);
        var computed = target.Inputs.Select(i => g.GetProducer(i)!).Where(p => p.OpType == "Unsqueeze").ToList();
        Assert.NotEmpty(computed);
        // Each computed entry traces back to a Shape node (through Gather, Mul or Div).
        foreach (var entry in computed)
        {
            var frontier = new Queue<OnnxNode>([entry]);
            var found = false;
            while (frontier.TryDequeue(out var n) && !found)
            {
                found = n.OpType == "Shape";
                foreach (var p in n.Inputs.Select(g.GetProducer).OfType<OnnxNode>().Where(p => p.OpType != "Constant"))
                {
                    frontier.Enqueue(p);
                }
            }
            Assert.True(found, $"{entry} of {name}'s target does not come from a Shape");
        }
    }

    [Fact]
    public void Unet_ReshapesHaveNoLiteralBatchFrameOrPixelSizes()
    {
        // A literal target may only hold 0, -1, 1, or the group / head counts; sizes that vary must be computed.
        var g = Unet.Value;
        foreach (var reshape in g.Nodes.Where(n => n.OpType == "Reshape" && g.IsConstant(n.Inputs[1])))
        {
            Assert.All(ConstantInts(g, reshape.Inputs[1]), v => Assert.True(v is 0 or -1 or 1 or 32, $"{reshape} reshapes to a literal {v}"));
        }
    }

    [Fact]
    public void Attention_IsMatMulSoftmaxWithScaleFromShapeOfQuery()
    {
        var g = Unet.Value;
        var softmax = Node(g, "/down_blocks.0/attentions.0/temporal_transformer_blocks.0/attn1/Softmax");
        var scores = Producer(g, softmax, 0);
        Assert.Equal("MatMul", scores.OpType);
        var scaledQuery = Producer(g, scores, 0);
        Assert.Equal("Mul", scaledQuery.OpType);
        var chain = new List<string>();
        for (var n = Producer(g, scaledQuery, 1); ; n = Producer(g, n, n.OpType == "Div" ? 1 : 0))
        {
            chain.Add(n.OpType);
            if (n.OpType == "Shape")
            {
                break;
            }
        }
        Assert.Equal(["Sqrt", "Div", "Sqrt", "Cast", "Slice", "Shape"], chain);
        Assert.Equal("MatMul", Assert.Single(g.GetConsumers(softmax.Outputs[0])).OpType);
    }

    [Theory]
    [InlineData("/down_blocks.0/resnets.0/spatial_res_block/conv1/Conv")]
    [InlineData("/down_blocks.0/resnets.0/temporal_res_block/conv1/Conv")]
    [InlineData("/down_blocks.0/attentions.0/temporal_transformer_blocks.0/attn1/MatMul")]
    [InlineData("/down_blocks.0/attentions.0/transformer_blocks.0/ff/net.0/proj/MatMul")]
    [InlineData("/down_blocks.2/downsamplers.0/conv/Conv")]
    [InlineData("/up_blocks.0/upsamplers.0/Resize")]
    [InlineData("/up_blocks.1/resnets.0/spatial_res_block/conv_shortcut/Conv")]
    [InlineData("/up_blocks.3/attentions.2/time_mixer/Sigmoid")]
    [InlineData("/time_embedding/linear_1/MatMul")]
    [InlineData("/add_embedding/linear_2/MatMul")]
    [InlineData("/conv_out/Conv")]
    public void UnetNodes_AreNamedAfterModulePaths(string name) => Node(Unet.Value, name);

    [Fact]
    public void Inputs_HaveNamedDynamicAxes_AndOpset17()
    {
        foreach (var kind in SvdNetworkKinds.All)
        {
            var model = TinySvd.Build(kind);
            Assert.Equal(17, model.OpsetVersion);
            // All but the timestep and the frame count ([1] each) have a batch axis at least.
            foreach (var input in model.Graph.Inputs.Where(i => i.Name is not ("timestep" or "num_frames")))
            {
                Assert.Contains(input.Type.TensorType.Shape.Dim, d => d.DimParam.Length > 0);
            }
        }
        var sample = Unet.Value.Inputs.Single(i => i.Name == "sample").Type.TensorType.Shape.Dim;
        Assert.Equal(["batch", "num_frames", "", "height", "width"], sample.Select(d => d.DimParam));
        Assert.Equal(8, sample[2].DimValue);
    }

    [Fact]
    public void NoWeightIsAllZero()
    {
        // Every path must matter to the executor's tests; only the unit scale / zero shift of the GroupNorm pattern are constant.
        foreach (var kind in SvdNetworkKinds.All)
        {
            var g = TinySvd.Build(kind).Graph;
            var floats = g.Initializers.Values.Where(t => t.DataType == (int)OnnxElementType.Float && !t.Name.Contains("InstanceNormalization_")).ToList();
            Assert.NotEmpty(floats);
            Assert.All(floats, t => Assert.True(TensorValues.ToFloat(t.RawData.Span, OnnxElementType.Float).Count(v => v != 0) > 0, $"{kind}: {t.Name} is all zero"));
        }
        Assert.Equal(22 + 16, Unet.Value.Initializers.Keys.Count(n => n.EndsWith(".mix_factor")));
    }
}
