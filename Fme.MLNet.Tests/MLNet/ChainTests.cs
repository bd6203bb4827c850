using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class ChainTests(VideoTransformFixture shared)
{
    private static void AssertSmallVideo(VideoFrames? video)
    {
        Assert.NotNull(video);
        Assert.Equal((2, 64, 64, 5.0), (video.FrameCount, video.Width, video.Height, video.Fps));
        Assert.True(video.GetFrame(1).ToArray().Distinct().Count() > 10, "the frame is flat");
    }

    [Fact]
    public void Transform_AddsAVideoColumn_ReadByCreateEnumerable()
    {
        var output = shared.Model.Transform(shared.Data);
        var video = output.Schema["Video"];
        Assert.IsType<VideoDataViewType>(video.Type);
        Assert.Equal(output.Schema.Count - 1, video.Index);

        var rows = shared.ReadVideos(shared.Model);
        Assert.Equal(shared.Paths, rows.Select(r => r.ImagePath));
        foreach (var row in rows)
        {
            AssertSmallVideo(row.Video);
        }
        // Seeded: each row's video depends on its image only, so different images give different videos.
        Assert.False(rows[0].Video!.GetFrame(0).Span.SequenceEqual(rows[1].Video!.GetFrame(0).Span), "two images gave the same video");
    }

    [Fact]
    public void PredictionEngine_GivesTheSameVideoAsTransform()
    {
        var expected = shared.ReadVideos(shared.Model).Last();
        using var engine = shared.Context.Model.CreatePredictionEngine<ImagePathRow, VideoRow>(shared.Model,
            new PredictionEngineOptions { OwnsTransformer = false });
        var first = engine.Predict(new ImagePathRow { ImagePath = shared.Paths[^1] });
        var second = engine.Predict(new ImagePathRow { ImagePath = shared.Paths[0] });
        AssertSmallVideo(first.Video);
        AssertSmallVideo(second.Video);
        VideoTransformFixture.AssertSameFrames(expected.Video!, first.Video!, "between the engine and Transform");
        Assert.False(first.Video!.GetFrame(0).Span.SequenceEqual(second.Video!.GetFrame(0).Span), "the engine repeated the last video");
    }

    [Fact]
    public void Preview_ShowsTheVideoColumn()
    {
        var preview = shared.Model.Transform(shared.Data).Preview(maxRows: 1);
        var row = Assert.Single(preview.RowView);
        var video = Assert.IsType<VideoFrames>(row.Values.Single(kv => kv.Key == "Video").Value);
        AssertSmallVideo(video);
        Assert.Equal("Video", preview.Schema["Video"].Type.ToString());
    }

    [Fact]
    public void VideoHelpers_WriteGifAndPngs_AndMakeMLImages()
    {
        var video = shared.ReadVideos(shared.Model)[0].Video!;
        var gif = Path.Combine(shared.Folder, "helpers", "first.gif");
        video.SaveGif(gif);
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(gif), 0, 6));
        Assert.Equal(2, video.SavePngFrames(Path.Combine(shared.Folder, "helpers")).Count);
        var images = video.ToMLImages();
        try
        {
            Assert.Equal(2, images.Length);
            Assert.Equal((64, 64), (images[1].Width, images[1].Height));
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }
}
