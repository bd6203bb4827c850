using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class BadRowTests(VideoTransformFixture shared)
{
    [Fact]
    public void ABadRow_ThrowsNamingColumnAndRow_AndTheOtherRowsStillComplete()
    {
        using var folder = new TempFolder();
        var rng = new TestRandom();
        var corrupt = folder.File("corrupt.png");
        File.WriteAllBytes(corrupt, ImageBytes(rng));
        var paths = new[] { shared.Paths[0], folder.File("missing.png"), corrupt, "", shared.Paths[1] };
        var data = shared.Context.Data.LoadFromEnumerable(paths.Select(p => new ImagePathRow { ImagePath = p }));
        var output = shared.Model.Transform(data);
        var before = shared.Video.VideosGenerated;

        var videos = new List<VideoFrames>();
        var errors = new List<VideoGenerationException>();
        VideoTransformFixture.ForEachRow(output, getter =>
        {
            try
            {
                videos.Add(VideoTransformFixture.Read(getter));
            }
            catch (VideoGenerationException e)
            {
                errors.Add(e);
                // Asking again gives the same error without reading the row again.
                Assert.Same(e, Assert.Throws<VideoGenerationException>(() => VideoTransformFixture.Read(getter)));
            }
        });

        Assert.Equal(2, videos.Count);
        Assert.Equal(before + 2, shared.Video.VideosGenerated);
        Assert.Equal([1L, 2L, 3L], errors.Select(e => e.Row));
        foreach (var error in errors)
        {
            Assert.Equal(("Video", "Image"), (error.OutputColumn, error.InputColumn));
            Assert.StartsWith($"Could not make the video of row {error.Row} (column 'Video' from image column 'Image'", error.Message);
            Assert.NotNull(error.InnerException);
        }
        Assert.Contains("missing.png", errors[0].Message);
        Assert.Contains("no image", errors[2].Message);
    }

    /// <summary>A PNG signature followed by random bytes: passes a glance at the name, fails decoding.</summary>
    internal static byte[] ImageBytes(TestRandom rng)
    {
        var bytes = new byte[512];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)rng.Next(0, 256);
        }
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        return bytes;
    }
}
