using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Onnx.Proto;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Tests.Support;
using Google.Protobuf;

namespace Fme.MLNet.Tests.Models;

/// <summary>Every network of a model folder: weights reached through a linked folder that leads outside are refused.</summary>
[Collection(TinyModelCollection.Name)]
public class ModelFolderLinkTests(TinyModelFixture tiny)
{
    [Theory]
    [InlineData(SvdNetworkKind.ImageEncoder)]
    [InlineData(SvdNetworkKind.VaeEncoder)]
    [InlineData(SvdNetworkKind.Unet)]
    [InlineData(SvdNetworkKind.VaeDecoder)]
    public void WeightsUnderAFolderLinkedOutside_AreRefused(SvdNetworkKind kind)
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        using var outside = new TempFolder();
        var network = kind.FolderName();
        var data = copy.File(network, TinySvd.ModelFileName + ".data");
        File.Move(data, outside.File("weights.bin"));
        var graph = copy.File(network, TinySvd.ModelFileName);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph));
        foreach (var t in OnnxModel.FromProto(proto).AllInitializers().Where(t => t.IsExternal()))
        {
            (ExternalDataReference.Parse(t, null) with { Location = "sub/weights.bin" }).WriteTo(t);
        }
        File.WriteAllBytes(graph, proto.ToByteArray());
        Directory.CreateSymbolicLink(copy.File(network, "sub"), outside.Path);

        var e = Assert.Throws<ModelFolderException>(() => SvdModelFolder.Open(copy.Path));
        Assert.Contains(Path.Combine(network, TinySvd.ModelFileName), e.Message);
        Assert.Contains("sub/weights.bin", e.Message);
        Assert.Contains("outside the model's folder", e.Message);
        Assert.Throws<ModelFolderException>(() => VideoDiffusionPipeline.Load(copy.Path));
    }
}
