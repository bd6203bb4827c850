using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class DisposeTests(VideoTransformFixture shared)
{
    private static readonly RgbImage Probe = RgbImage.FromRgb24(new byte[64 * 64 * 3], 64, 64);

    private TransformerChain<GenerateVideoFmeTransformer> FitChain(MLContext context) =>
        VideoTransformFixture.Pipeline(context, VideoTransformFixture.Options()).Fit(shared.Data);

    [Fact]
    public void DisposingTheChain_ReleasesTheSessions()
    {
        var chain = FitChain(shared.Context);
        var video = chain.LastTransformer;
        var output = chain.Transform(shared.Data);
        chain.Dispose();
        Assert.True(video.IsDisposed);
        // The pipeline itself refuses work: its sessions are gone, not just a flag on the transformer.
        Assert.Throws<ObjectDisposedException>(() => video.Pipeline.Generate(Probe, VideoTransformFixture.Small));
        using var cursor = output.GetRowCursor([output.Schema["Video"]]);
        var getter = cursor.GetGetter<VideoFrames>(output.Schema["Video"]);
        Assert.True(cursor.MoveNext());
        VideoFrames frames = null!;
        var error = Assert.Throws<ObjectDisposedException>(() => getter(ref frames));
        Assert.Contains("'Video' was disposed", error.Message);
        Assert.Throws<ObjectDisposedException>(() => video.Transform(shared.Data));
        video.Dispose(); // a second dispose is harmless
    }

    [Fact]
    public void DisposingThePredictionEngine_DisposesTheTransformerItOwns()
    {
        var chain = FitChain(shared.Context);
        var engine = shared.Context.Model.CreatePredictionEngine<ImagePathRow, VideoRow>(chain);
        Assert.False(chain.LastTransformer.IsDisposed);
        engine.Dispose();
        Assert.True(chain.LastTransformer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => chain.LastTransformer.Pipeline.Generate(Probe, VideoTransformFixture.Small));
    }
}
