using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>Random input images, broken ones, and checks of the GIFs a batch writes.</summary>
internal static class TestImages
{
    /// <summary>Writes <paramref name="count"/> random PNGs named img00.png.. into <paramref name="folder"/>.</summary>
    public static void WriteRandom(string folder, int count, int seed, int size = 72)
    {
        var random = new Random(seed);
        Directory.CreateDirectory(folder);
        for (var i = 0; i < count; i++)
        {
            var pixels = new byte[size * size * 3];
            random.NextBytes(pixels);
            using var image = Image.LoadPixelData<Rgb24>(pixels, size, size);
            image.SaveAsPng(Path.Combine(folder, $"img{i:00}.png"));
        }
    }

    /// <summary>A file named like a PNG whose bytes are not one.</summary>
    public static string WriteBroken(string path)
    {
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5]);
        return path;
    }

    /// <summary>Asserts <paramref name="path"/> is a whole GIF of the given frames and size (decoding every frame).</summary>
    public static void AssertVideo(string path, int frames, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(bytes, 0, 6));
        Assert.Equal(0x3B, bytes[^1]); // the GIF trailer: a truncated file lacks it
        using var gif = Image.Load<Rgb24>(bytes);
        Assert.Equal((frames, width, height), (gif.Frames.Count, gif.Width, gif.Height));
    }
}
