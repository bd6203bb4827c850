using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Tests.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Pipelines;

/// <summary>The decoder's num_frames input is checked against its latent batch before ONNX Runtime sees it.</summary>
[Collection(TinyModelCollection.Name)]
public class DecoderFrameCountTests(TinyModelFixture tiny)
{
    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(3)]
    public void FrameCountThatDoesNotSplitTheBatch_IsNamed(long frames)
    {
        var decoder = tiny.Folder.VaeDecoder;
        using var session = new NetworkSession(decoder, new SessionOptionsFactory(new PipelineOptions()), null);
        var latents = new TestRandom().Normal(4 * 4 * 8 * 8);
        var e = Assert.Throws<ArgumentException>(() => session.Run(
        [
            new(SvdTensorRoles.LatentSample, [4, 4, 8, 8], latents),
            new(SvdTensorRoles.NumFrames, [1], Ints: [frames]),
        ], SvdTensorRoles.Sample, CancellationToken.None));
        Assert.Contains($"Input 'num_frames' of {decoder.OnnxPath} is {frames}", e.Message);
        Assert.Contains("divides axis 0 (batch x frames, 4) of 'latent_sample'", e.Message);

        // The same latents with a count that divides the batch decode.
        var frames4 = session.Run(
        [
            new(SvdTensorRoles.LatentSample, [4, 4, 8, 8], latents),
            new(SvdTensorRoles.NumFrames, [1], Ints: [2]),
        ], SvdTensorRoles.Sample, CancellationToken.None);
        Assert.NotEmpty(frames4);
    }
}
