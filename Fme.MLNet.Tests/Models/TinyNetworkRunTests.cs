using Fme.MLNet.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Models;

/// <summary>Each tiny network runs in plain ONNX Runtime on fresh random inputs, at several sizes, with finite outputs of the right shapes.</summary>
[Collection(TinyModelCollection.Name)]
public class TinyNetworkRunTests(TinyModelFixture tiny)
{
    [Theory]
    [InlineData(2, 14, 8, 8)]
    [InlineData(1, 3, 8, 16)]
    [InlineData(2, 5, 16, 8)]
    public void Unet_GivesFiniteOutputOfTheSampleShape(int batch, int frames, int height, int width)
    {
        var rng = new TestRandom();
        var output = tiny.Runner(SvdNetworkKind.Unet).Run(TinyInputs.Unet(rng, batch, frames, height, width))[SvdTensorRoles.OutSample];
        Assert.Equal(new long[] { batch, frames, 4, height, width }, output.Shape);
        output.AssertFinite($"unet, {rng}");
        Assert.InRange(output.Rms(), 0.05, 20);
    }

    [Theory]
    [InlineData(1, 14, 8, 8)]
    [InlineData(2, 3, 4, 6)]
    public void Decoder_GivesFiniteFramesEightTimesLarger(int batch, int frames, int height, int width)
    {
        var rng = new TestRandom();
        var output = tiny.Runner(SvdNetworkKind.VaeDecoder).Run(TinyInputs.Decoder(rng, batch, frames, height, width))[SvdTensorRoles.Sample];
        Assert.Equal(new long[] { batch * frames, 3, 8 * height, 8 * width }, output.Shape);
        output.AssertFinite($"vae_decoder, {rng}");
        Assert.InRange(output.Rms(), 0.05, 20);
    }

    [Fact]
    public void Decoder_FrameCountChangesTheResult()
    {
        // The temporal layers mix frames within a video: 2 videos of 3 frames differ from 1 video of 6 frames.
        var rng = new TestRandom();
        var inputs = TinyInputs.Decoder(rng, 2, 3, 4, 4);
        var asTwo = tiny.Runner(SvdNetworkKind.VaeDecoder).Run(inputs)[SvdTensorRoles.Sample];
        inputs[1] = (SvdTensorRoles.NumFrames, TensorData.Of([6], 1));
        var asOne = tiny.Runner(SvdNetworkKind.VaeDecoder).Run(inputs)[SvdTensorRoles.Sample];
        Assert.True(Compare.RelativeError(asTwo.Data, asOne.Data) > 1e-3, rng.ToString());
    }

    [Theory]
    [InlineData(1, 64, 64)]
    [InlineData(2, 32, 48)]
    public void VaeEncoder_GivesEightMomentChannels(int batch, int height, int width)
    {
        var rng = new TestRandom();
        var output = tiny.Runner(SvdNetworkKind.VaeEncoder).Run(TinyInputs.Encoder(rng, batch, height, width))[SvdTensorRoles.LatentSample];
        Assert.Equal(new long[] { batch, 8, height / 8, width / 8 }, output.Shape);
        output.AssertFinite($"vae_encoder, {rng}");
        Assert.InRange(output.Rms(), 0.05, 20);
    }

    [Fact]
    public void ImageEncoder_GivesOneEmbeddingPerImage()
    {
        var rng = new TestRandom();
        var output = tiny.Runner(SvdNetworkKind.ImageEncoder).Run(TinyInputs.ImageEncoder(rng, 2))[SvdTensorRoles.ImageEmbeds];
        Assert.Equal(new long[] { 2, 64 }, output.Shape);
        output.AssertFinite($"image_encoder, {rng}");
        // The two images differ, so their embeddings do.
        Assert.True(Compare.RelativeError(output.Data.AsSpan(0, 64), output.Data.AsSpan(64, 64)) > 1e-2, rng.ToString());
    }

    [Fact]
    public void Unet_EveryConditioningInputMatters()
    {
        var rng = new TestRandom();
        var inputs = TinyInputs.Unet(rng, 1, 3, 8, 8);
        var runner = tiny.Runner(SvdNetworkKind.Unet);
        var baseline = runner.Run(inputs)[SvdTensorRoles.OutSample];
        for (var i = 1; i < inputs.Length; i++)
        {
            var changed = inputs.ToArray();
            var (role, value) = changed[i];
            // A fixed offset, so the change never vanishes (a scale-and-shift has a fixed point).
            changed[i] = (role, value with { Data = value.Data.Select(v => v + 0.5f).ToArray() });
            var output = runner.Run(changed)[SvdTensorRoles.OutSample];
            Assert.True(Compare.RelativeError(output.Data, baseline.Data) > 1e-4, $"changing {role} left the output unchanged; {rng}");
        }
    }
}
