using Fme.MLNet.Models;

namespace Fme.MLNet.Tests.Models;

/// <summary>A fixed-shape export says which sizes it accepts when asked for others; a dynamic one accepts any.</summary>
[Collection(TinyModelCollection.Name)]
public class ModelFolderSizeTests(TinyModelFixture tiny)
{
    [Fact]
    public void DynamicExports_AcceptAnySize()
    {
        tiny.Folder.CheckSizes(14, 576, 1024);
        tiny.Folder.CheckSizes(25, 64, 128, unetBatch: 1);
    }

    [Fact]
    public void FixedExports_AcceptTheirSizeOnly_AndSayWhichItIs()
    {
        using var copy = new ModelFolderCopy(tiny.Path);
        // As community converters fix them for SVD at 14 frames of 576 x 1024 with guidance.
        copy.EditGraph(SvdNetworkKind.Unet, m => ModelFolderCopy.SetDims(m, "sample", 2, 14, 8, 72, 128));
        copy.EditGraph(SvdNetworkKind.VaeDecoder, m => ModelFolderCopy.SetDims(m, "latent_sample", 14, 4, 72, 128));
        var folder = SvdModelFolder.Open(copy.Path);
        Assert.Equal([2, 14, 8, 72, 128], folder.Unet.Input("sample").Dims.Select(d => d.Value!.Value));
        folder.CheckSizes(14, 576, 1024);

        var e = Assert.Throws<ArgumentException>(() => folder.CheckSizes(25, 576, 1024));
        Assert.Contains("do not allow 25 frames of 576 x 1024 (UNet batch 2)", e.Message);
        Assert.Contains("input 'sample' [2, 14, 8, 72, 128]: frames is fixed at 14, asked for 25", e.Message);
        Assert.Contains("input 'latent_sample' [14, 4, 72, 128]: batch x frames is fixed at 14, asked for 25", e.Message);

        e = Assert.Throws<ArgumentException>(() => folder.CheckSizes(14, 512, 512, unetBatch: 1));
        Assert.Contains("batch is fixed at 2, asked for 1, latent height is fixed at 72, asked for 64, latent width is fixed at 128, asked for 64", e.Message);
    }

    [Theory]
    [InlineData(14, 570, 1024, "height")]
    [InlineData(14, 576, 0, "width")]
    public void SizesThatAreNotMultiplesOf8_AreRejected(int frames, int height, int width, string parameter)
    {
        var e = Assert.Throws<ArgumentException>(() => tiny.Folder.CheckSizes(frames, height, width));
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains("multiples of 8", e.Message);
    }
}
