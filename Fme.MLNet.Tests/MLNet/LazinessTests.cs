using Fme.MLNet.Imaging;
using Microsoft.ML;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class LazinessTests(VideoTransformFixture shared)
{
    [Fact]
    public void NothingIsGenerated_UntilTheVideoColumnIsRead()
    {
        var before = shared.Video.VideosGenerated;
        var output = shared.Model.Transform(shared.Data);
        var paths = shared.Context.Data.CreateEnumerable<ImagePathRow>(output, reuseRowObject: false).Select(r => r.ImagePath).ToList();
        using (var cursor = output.GetRowCursor(output.Schema))
        {
            // Every column active, yet no getter of the video is called.
            while (cursor.MoveNext())
            {
            }
        }
        Assert.Equal(shared.Paths, paths);
        Assert.Equal(before, shared.Video.VideosGenerated);

        using (var cursor = output.GetRowCursor([output.Schema["Video"]]))
        {
            var getter = cursor.GetGetter<VideoFrames>(output.Schema["Video"]);
            VideoFrames video = null!;
            Assert.True(cursor.MoveNext());
            Assert.Equal(before, shared.Video.VideosGenerated);
            getter(ref video);
        }
        Assert.Equal(before + 1, shared.Video.VideosGenerated);
    }

    [Fact]
    public void EachRow_IsGeneratedOnce_HoweverOftenItIsRead()
    {
        var output = shared.Model.Transform(shared.Data);
        var column = output.Schema["Video"];
        var before = shared.Video.VideosGenerated;
        var videos = new List<VideoFrames>();
        using (var cursor = output.GetRowCursor([column]))
        {
            var first = cursor.GetGetter<VideoFrames>(column);
            var second = cursor.GetGetter<VideoFrames>(column);
            while (cursor.MoveNext())
            {
                VideoFrames a = null!, b = null!, c = null!;
                first(ref a);
                first(ref b);
                second(ref c);
                Assert.Same(a, b);
                Assert.Same(a, c);
                videos.Add(a);
            }
        }
        Assert.Equal(shared.Paths.Count, videos.Count);
        Assert.Equal(before + shared.Paths.Count, shared.Video.VideosGenerated);
    }

    [Fact]
    public async Task CursorsInParallel_ShareThePipeline_AndAgreeWithOneCursor()
    {
        var output = shared.Model.Transform(shared.Data);
        byte[][] ReadAll()
        {
            var frames = new List<byte[]>();
            VideoTransformFixture.ForEachRow(output, getter => frames.Add(VideoTransformFixture.Read(getter).GetFrame(1).ToArray()));
            return frames.ToArray();
        }
        var expected = ReadAll();
        var before = shared.Video.VideosGenerated;
        var parallel = await Task.WhenAll(Task.Run(ReadAll), Task.Run(ReadAll));
        foreach (var result in parallel)
        {
            Assert.Equal(expected.Length, result.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(expected[i].AsSpan().SequenceEqual(result[i]), $"row {i} differs between cursors");
            }
        }
        Assert.Equal(before + 2 * expected.Length, shared.Video.VideosGenerated);
    }
}
