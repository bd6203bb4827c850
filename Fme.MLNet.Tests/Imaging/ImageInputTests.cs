using Fme.MLNet.Imaging;
using Fme.MLNet.Tests.Support;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>Reading images from ML.NET, files and ImageSharp, and refusing bad sizes before allocating.</summary>
public class ImageInputTests
{
    [Theory]
    [InlineData(MLPixelFormat.Rgba32)]
    [InlineData(MLPixelFormat.Bgra32)]
    public void MLImagePixelsAreCopiedInRgbOrder(MLPixelFormat format)
    {
        var rng = new TestRandom();
        int width = 37, height = 23;
        var rgb = ImageSamples.RandomBytes(rng, width * height * 3);
        var four = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
        {
            var (r, b) = format == MLPixelFormat.Rgba32 ? (0, 2) : (2, 0);
            four[i * 4 + r] = rgb[i * 3];
            four[i * 4 + 1] = rgb[i * 3 + 1];
            four[i * 4 + b] = rgb[i * 3 + 2];
            four[i * 4 + 3] = 255;
        }
        RgbImage image;
        using (var ml = MLImage.CreateFromPixels(width, height, format, four))
        {
            image = RgbImage.FromMLImage(ml);
        }
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);
        Assert.Equal(rgb, image.Pixels.ToArray());
    }

    [Fact]
    public void TranslucentMLImagePixelsAreUnpremultiplied()
    {
        // Premultiplied (100, 50, 20) at alpha 128 is the straight colour (199.2, 99.6, 39.8).
        using var ml = MLImage.CreateFromPixels(2, 1, MLPixelFormat.Rgba32, [100, 50, 20, 128, 9, 9, 9, 0]);
        var image = RgbImage.FromMLImage(ml);
        Assert.Equal([199, 100, 40, 0, 0, 0], image.Pixels.ToArray());
    }

    [Fact]
    public void FilesAndImageSharpImagesAreRead()
    {
        var rng = new TestRandom();
        using var dir = new TempFolder();
        var rgb = ImageSamples.RandomBytes(rng, 41 * 29 * 3);
        var path = dir.File("in.png");
        using (var source = Image.LoadPixelData<Rgb24>(rgb, 41, 29))
        {
            source.SaveAsPng(path);
            Assert.Equal(rgb, RgbImage.FromImage(source).Pixels.ToArray());
        }
        var image = RgbImage.FromFile(path);
        Assert.Equal((41, 29), (image.Width, image.Height));
        Assert.Equal(rgb, image.Pixels.ToArray());
        Assert.Equal(image.Pixels[3] / 255f, image.ToTensor().Data[1]);
    }

    [Fact]
    public void OversizedFileIsRefusedFromItsHeaderBeforeDecoding()
    {
        // A PNG whose header claims 50000 x 50000 pixels and that holds no image data: decoding it would fail or
        // allocate gigabytes; the size check must come first and say what it found.
        using var dir = new TempFolder();
        var path = dir.File("huge.png");
        File.WriteAllBytes(path, PngChunks.Png(50_000, 50_000));
        var e = Assert.Throws<ImageSizeException>(() => RgbImage.FromFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("50000 x 50000", e.Message);
        Assert.Contains(ImageSizeLimit.DefaultMaxPixels.ToString(), e.Message);
        Assert.Equal("path", e.ParamName);
        Assert.Equal((50_000L, 50_000L), (e.Width, e.Height));
    }

    [Fact]
    public void OversizedAndEmptyImagesAreRefused()
    {
        var limit = new ImageSizeLimit(maxPixels: 1000);
        using var ml = MLImage.CreateFromPixels(40, 30, MLPixelFormat.Bgra32, new byte[40 * 30 * 4]);
        var e = Assert.Throws<ImageSizeException>(() => RgbImage.FromMLImage(ml, "column 'Image', row 7", limit));
        Assert.Contains("column 'Image', row 7", e.Message);
        Assert.Contains("40 x 30", e.Message);
        Assert.Contains("1000", e.Message);
        Assert.Equal("image", e.ParamName);

        var empty = Assert.Throws<ImageSizeException>(() => RgbImage.FromRgb24([], 0, 5));
        Assert.Contains("0 x 5", empty.Message);
        Assert.Throws<ArgumentException>(() => RgbImage.FromRgb24(new byte[10], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageSizeLimit(0));
    }

    [Fact]
    public void UnreadableFilesSayWhy()
    {
        using var dir = new TempFolder();
        var path = dir.File("text.png");
        File.WriteAllText(path, "not an image");
        var e = Assert.Throws<InvalidDataException>(() => RgbImage.FromFile(path));
        Assert.Contains(path, e.Message);
        Assert.Throws<FileNotFoundException>(() => RgbImage.FromFile(dir.File("absent.png")));
    }

    [Fact]
    public void FileDecodingLimits_LeaveOtherImageSharpUsersAlone()
    {
        using var dir = new TempFolder();
        var path = dir.File("three.gif");
        File.WriteAllBytes(path, ImageBombs.AnimatedGif(8, 3));
        var image = RgbImage.FromFile(path);
        Assert.Equal([255, 0, 0], image.Pixels[..3].ToArray());
        // Only the first frame was decoded above; ImageSharp's default configuration still decodes all three.
        using var all = Image.Load<Rgb24>(path);
        Assert.Equal(3, all.Frames.Count);
    }

    [Fact]
    public void DirectoryGivenAsTheImage_IsNamed()
    {
        using var dir = new TempFolder();
        var path = dir.File("frames.png");
        Directory.CreateDirectory(path);
        var e = Assert.Throws<ArgumentException>(() => RgbImage.FromFile(path));
        Assert.Contains($"'{path}' is a directory; expected an image file", e.Message);
        Assert.Equal("path", e.ParamName);
    }
}
