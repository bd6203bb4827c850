using Fme.MLNet.Models;
using Fme.MLNet.Onnx;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>A UNet laid out as Stability's TensorRT release of SVD-XT 1.1 (float16 boundary, output 'latent', UUID-named weights).</summary>
[Collection(TinyModelCollection.Name)]
public class TensorRtLayoutTests(TinyModelFixture tiny)
{
    [Fact]
    public void TensorRtUnet_IsAcceptedAndRuns()
    {
        var rng = new TestRandom();
        // The tiny folder with its UNet replaced by a TensorRT-layout one (the other networks stay float32).
        using var copy = new ModelFolderCopy(tiny.Path);
        File.Delete(copy.File("unet", "model.onnx.data"));
        TinySvd.Build(SvdNetworkKind.Unet, new TinySvdOptions { UnetLayout = TinyUnetLayout.TensorRt })
            .Save(copy.File("unet", "model.onnx"), new OnnxSaveOptions { ExternalDataFileName = TinySvd.TensorRtDataFileName });
        var folder = SvdModelFolder.Open(copy.Path);

        var unet = folder.Unet;
        Assert.Equal("latent", unet.TensorNames[SvdTensorRoles.OutSample]);
        Assert.Equal(
            [OnnxElementType.Float16, OnnxElementType.Float, OnnxElementType.Float16, OnnxElementType.Float16],
            unet.Inputs.Select(i => i.ElementType));
        Assert.Equal(OnnxElementType.Float16, unet.Output(SvdTensorRoles.OutSample).ElementType);
        Assert.Equal([TinySvd.TensorRtDataFileName, "model.onnx"], Directory.GetFiles(copy.File("unet"), "*").Select(Path.GetFileName)
            .Where(n => n != "config.json").Order(StringComparer.Ordinal));
        // The other networks keep float32 boundaries.
        Assert.Equal(OnnxElementType.Float, folder.VaeDecoder.Input(SvdTensorRoles.LatentSample).ElementType);

        var inputs = TinyInputs.Unet(rng, 2, 3, 8, 8);
        using var runner = new NetworkRunner(unet);
        var half = runner.Run(inputs)[SvdTensorRoles.OutSample];
        var full = tiny.Runner(SvdNetworkKind.Unet).Run(inputs)[SvdTensorRoles.OutSample];
        Assert.Equal(full.Shape, half.Shape);
        var error = Compare.RelativeError(half.Data, full.Data);
        Assert.True(error < 1e-2, $"relative error {error:E2} against the float32 UNet; {rng}");
    }
}
