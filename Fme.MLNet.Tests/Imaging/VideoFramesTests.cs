using Fme.MLNet.Imaging;
using Fme.MLNet.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>Decoder output to bytes, and the ways frames leave the library.</summary>
public class VideoFramesTests
{
    private static VideoFrames RandomVideo(TestRandom rng, int frames, int width, int height, double fps = 7) =>
        VideoFrames.FromDecoderOutput(rng.Uniform(frames * 3 * width * height, -1.2f, 1.2f), frames, height, width, fps);

    // An input x whose float32 (x * 0.5 + 0.5) * 255 is exactly level + 0.5, or null if no float32 reaches it.
    private static float? HalfWayInput(int level)
    {
        var v = (level + 0.5f) / 255f;
        for (var i = 0; i < 64; i++)
        {
            v = MathF.BitDecrement(v);
        }
        for (var i = 0; i < 128; i++, v = MathF.BitIncrement(v))
        {
            var x = (v - 0.5f) * 2f;
            if (v * 255f == level + 0.5f && x * 0.5f + 0.5f == v)
            {
                return x;
            }
        }
        return null;
    }

    private static (float X, int Level) FirstHalfWay(int parity)
    {
        foreach (var level in Enumerable.Range(100, 150).Where(l => l % 2 == parity))
        {
            if (HalfWayInput(level) is { } x)
            {
                return (x, level);
            }
        }
        throw new InvalidOperationException($"No float32 input lands exactly half-way for levels of parity {parity}.");
    }

    [Fact]
    public void ChosenValuesRoundHalfToEven()
    {
        // Half-way cases: even.5 rounds down to the even level, odd.5 rounds up to the next (even) one.
        var (even, evenLevel) = FirstHalfWay(0);
        var (odd, oddLevel) = FirstHalfWay(1);
        float[] values = [-1f, 1f, 0f, -3f, 5f, float.NaN, even, odd];
        byte[] expected = [0, 255, 128, 0, 255, 0, (byte)evenLevel, (byte)(oddLevel + 1)];
        // One frame, one row: all values in the red plane; green and blue hold fixed levels.
        var planes = new float[3 * values.Length];
        values.CopyTo(planes, 0);
        Array.Fill(planes, -1f, values.Length, values.Length);
        Array.Fill(planes, 1f, 2 * values.Length, values.Length);
        var video = VideoFrames.FromDecoderOutput(planes, 1, 1, values.Length, 7);
        var pixels = video.GetFrame(0).ToArray();
        Assert.Equal(expected, pixels.Where((_, i) => i % 3 == 0));
        Assert.All(pixels.Where((_, i) => i % 3 == 1), g => Assert.Equal(0, g));
        Assert.All(pixels.Where((_, i) => i % 3 == 2), b => Assert.Equal(255, b));
    }

    [Fact]
    public void RandomTensorQuantisesPixelByPixel()
    {
        var rng = new TestRandom();
        int frames = 2, width = 45, height = 7; // 45 is not a multiple of the vector width
        var decoded = rng.Uniform(frames * 3 * width * height, -1.3f, 1.3f);
        var video = VideoFrames.FromDecoderOutput(decoded, frames, height, width, 7);
        for (var f = 0; f < frames; f++)
        {
            var frame = video.GetFrame(f).Span;
            for (var i = 0; i < width * height; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    // The reference's float32 arithmetic: (x * 0.5 + 0.5).clamp(0, 1), then (v * 255).round().
                    var x = decoded[(f * 3 + c) * width * height + i];
                    var level = MathF.Round(Math.Clamp(x * 0.5f + 0.5f, 0f, 1f) * 255f, MidpointRounding.ToEven);
                    Assert.True(frame[i * 3 + c] == level, $"frame {f}, pixel {i}, channel {c}: {frame[i * 3 + c]} vs {level} ({rng})");
                }
            }
        }
    }

    [Fact]
    public void PngFramesDecodeToTheSamePixels()
    {
        var rng = new TestRandom();
        var video = RandomVideo(rng, 3, 31, 17);
        using var dir = new TempFolder();
        var paths = video.SavePngFrames(dir.File("png"), "clip");
        Assert.Equal(3, paths.Count);
        Assert.EndsWith("clip_002.png", paths[2]);
        for (var i = 0; i < 3; i++)
        {
            using var decoded = Image.Load<Rgb24>(paths[i]);
            var pixels = new byte[31 * 17 * 3];
            decoded.CopyPixelDataTo(pixels);
            Assert.Equal(video.GetFrame(i).ToArray(), pixels);
        }
        Assert.Equal(3, Directory.GetFiles(dir.File("png")).Length); // no temporary files left behind
        Assert.Throws<ArgumentException>(() => video.SavePngFrames(dir.Path, "a/b"));
    }

    [Fact]
    public void GifHasEveryFrameLoopsAndKeepsTheFrameRate()
    {
        var rng = new TestRandom();
        var video = RandomVideo(rng, 5, 24, 16, fps: 7);
        using var dir = new TempFolder();
        var path = dir.File("video.gif");
        File.WriteAllText(path, "an older file to replace");
        video.SaveGif(path);
        using var gif = Image.Load<Rgb24>(path);
        Assert.Equal(5, gif.Frames.Count);
        Assert.Equal((24, 16), (gif.Width, gif.Height));
        Assert.Equal(0, gif.Metadata.GetGifMetadata().RepeatCount);
        Assert.All(Enumerable.Range(0, 5), i => Assert.Equal(14, gif.Frames[i].Metadata.GetGifMetadata().FrameDelay));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void GifColoursStayCloseToTheFrames()
    {
        // Smooth content whose colours drift from frame to frame: 256 colours per frame should track it closely.
        var rng = new TestRandom();
        int frames = 4, size = 48;
        var decoded = rng.Uniform(frames * 3 * size * size, -0.02f, 0.02f);
        for (var f = 0; f < frames; f++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < size * size; i++)
                {
                    decoded[((f * 3 + c) * size * size) + i] += (c - 1) * (f - 1.5f) / 2f + (i % size - i / size) / (2f * size);
                }
            }
        }
        var video = VideoFrames.FromDecoderOutput(decoded, frames, size, size, 7);
        using var stream = new MemoryStream();
        video.SaveGif(stream);
        stream.Position = 0;
        using var gif = Image.Load<Rgb24>(stream);
        for (var f = 0; f < frames; f++)
        {
            using var frame = gif.Frames.CloneFrame(f);
            var pixels = new byte[size * size * 3];
            frame.CopyPixelDataTo(pixels);
            var error = pixels.Zip(video.GetFrame(f).ToArray()).Average(p => Math.Abs(p.First - p.Second));
            Assert.True(error < 4, $"frame {f}: mean error {error:F2} levels ({rng})");
        }
    }

    [Fact]
    public void MLImagesRoundTrip()
    {
        var rng = new TestRandom();
        var video = RandomVideo(rng, 2, 19, 11);
        var images = video.ToMLImages();
        try
        {
            Assert.Equal(2, images.Length);
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(Microsoft.ML.Data.MLPixelFormat.Rgba32, images[i].PixelFormat);
                Assert.Equal(video.GetFrame(i).ToArray(), RgbImage.FromMLImage(images[i]).Pixels.ToArray());
            }
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    [Fact]
    public void ShapesAreChecked()
    {
        Assert.Equal("decoded", Assert.Throws<ArgumentException>(() => VideoFrames.FromDecoderOutput(new float[10], 1, 2, 2, 7)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => VideoFrames.FromDecoderOutput(new float[12], 1, 2, 2, 0));
        var video = VideoFrames.FromRgb24(new byte[2 * 12], 2, 2, 2, 7);
        Assert.Throws<ArgumentOutOfRangeException>(() => video.GetFrame(2));
    }
}
