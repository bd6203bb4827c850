using Fme.MLNet.Imaging;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>CLIP and VAE conditioning inputs, against references written out in the tests.</summary>
public class PreprocessingTests
{
    private static readonly double[] Mean = [0.48145466, 0.4578275, 0.40821073];
    private static readonly double[] Std = [0.26862954, 0.26130258, 0.27577711];

    [Fact]
    public void KernelFor1024x576To224()
    {
        var x = AntialiasedResize.KernelFor(1024, 224);
        var y = AntialiasedResize.KernelFor(576, 224);
        Assert.Equal(7, x.Size);
        Assert.Equal(3, y.Size);
        Assert.Equal(1.7857, x.Sigma, 1e-4);
        Assert.Equal(0.7857, y.Sigma, 1e-4);
        foreach (var (kernel, reference) in new[] { (x, ReferenceResize.Gaussian(1024, 224)), (y, ReferenceResize.Gaussian(576, 224)) })
        {
            Assert.Equal(reference.Length, kernel.Taps.Count);
            for (var i = 0; i < reference.Length; i++)
            {
                Assert.Equal(reference[i], kernel.Taps[i], 1e-6);
            }
        }
        // Enlarging: sigma 0.001, and the 3 taps are [0, 1, 0].
        Assert.Equal([0f, 1f, 0f], AntialiasedResize.KernelFor(100, 224).Taps);
    }

    [Theory]
    [InlineData(97, 61, 224, 224)]
    [InlineData(500, 300, 224, 224)]
    [InlineData(180, 250, 30, 40)]
    [InlineData(1, 1, 3, 2)]
    public void FastResizeMatchesTheSlowReference(int width, int height, int outWidth, int outHeight)
    {
        var rng = new TestRandom();
        var input = rng.Uniform(3 * width * height);
        var output = new float[3 * outWidth * outHeight];
        AntialiasedResize.Resize(input, 3, height, width, output, outHeight, outWidth);
        var reference = ReferenceResize.Antialiased(input, 3, height, width, outHeight, outWidth);
        var worst = output.Zip(reference).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 1e-5, $"max |fast - reference| = {worst:E3} ({rng})");
    }

    [Fact]
    public void ClipOutputIsNormalisedPixelsWhenNoResizeIsNeeded()
    {
        // 224 x 224 in: the blur taps are [0, 1, 0] and bicubic samples pixel centres, so only the normalisation acts.
        var rng = new TestRandom();
        var image = ImageSamples.RandomImage(rng, 224, 224);
        var result = new ClipImagePreprocessor().Process(image);
        Assert.Equal([1L, 3, 224, 224], result.Shape);
        for (var c = 0; c < 3; c++)
        {
            var plane = result.Plane(c);
            for (var i = 0; i < plane.Length; i++)
            {
                var expected = (image.Pixels[i * 3 + c] / 255.0 - Mean[c]) / Std[c];
                Assert.True(Math.Abs(plane[i] - expected) < 1e-5, $"channel {c}, pixel {i}: {plane[i]} vs {expected} ({rng})");
            }
        }
        Assert.Equal(Mean.Select(m => (float)m), ClipImagePreprocessor.ClipMean);
        Assert.Equal(Std.Select(s => (float)s), ClipImagePreprocessor.ClipStd);
    }

    [Fact]
    public void ConstantImageStaysConstantThroughClip()
    {
        var rng = new TestRandom();
        byte r = (byte)rng.Next(0, 256), g = (byte)rng.Next(0, 256), b = (byte)rng.Next(0, 256);
        var result = new ClipImagePreprocessor().Process(ImageSamples.Constant(1024, 576, r, g, b));
        var values = new[] { r, g, b };
        for (var c = 0; c < 3; c++)
        {
            var expected = (values[c] / 255.0 - Mean[c]) / Std[c];
            Assert.All(result.Plane(c).ToArray(), v => Assert.True(Math.Abs(v - expected) < 1e-5, $"{v} vs {expected} ({rng})"));
        }
    }

    [Fact]
    public void ClipFromFloatMatchesClipFromBytes()
    {
        var rng = new TestRandom();
        var image = ImageSamples.RandomImage(rng, 300, 200);
        var clip = new ClipImagePreprocessor(size: 64, mean: [0.5f, 0.5f, 0.5f], std: [0.5f, 0.25f, 1f]);
        var fromBytes = clip.Process(image);
        var fromFloat = clip.Process(image.ToTensor());
        Compare.Close(fromFloat.Data, fromBytes.Data, 1e-6, rng.ToString());
        Assert.Throws<ArgumentException>(() => new ClipImagePreprocessor(std: [1f, 0f, 1f]));
        Assert.Throws<ArgumentException>(() => new ClipImagePreprocessor(mean: [1f, 1f]));
    }

    [Theory]
    [InlineData(1024, 576, 512, 320)]
    [InlineData(100, 80, 256, 128)]
    public void ConstantImageStaysConstantThroughLanczos(int width, int height, int outWidth, int outHeight)
    {
        var rng = new TestRandom();
        byte r = (byte)rng.Next(0, 256), g = (byte)rng.Next(0, 256), b = (byte)rng.Next(0, 256);
        var result = VaeImagePreprocessor.Process(ImageSamples.Constant(width, height, r, g, b), outWidth, outHeight);
        Assert.Equal([1L, 3, outHeight, outWidth], result.Shape);
        var values = new[] { r, g, b };
        for (var c = 0; c < 3; c++)
        {
            var expected = values[c] / 255f * 2f - 1f;
            Assert.All(result.Plane(c).ToArray(), v => Assert.Equal(expected, v));
        }
    }

    [Theory]
    [InlineData(160, 90, 64, 40)]
    [InlineData(40, 30, 96, 64)]
    [InlineData(50, 30, 50, 70)]
    public void LanczosResizeFollowsPilsDefinition(int width, int height, int outWidth, int outHeight)
    {
        // The float64 reference differs from fixed-point weights only where a sum lands within 2^-22 of a half level.
        var rng = new TestRandom();
        var image = ImageSamples.RandomImage(rng, width, height);
        var result = VaeImagePreprocessor.ResizeLanczos(image, outWidth, outHeight).Pixels.ToArray();
        var reference = ReferenceResize.Lanczos3(image.Pixels.ToArray(), width, height, outWidth, outHeight);
        var differences = result.Zip(reference).Select(p => Math.Abs(p.First - p.Second)).ToArray();
        Assert.True(differences.Max() <= 1, $"max difference {differences.Max()} levels ({rng})");
        Assert.True(differences.Count(d => d > 0) <= differences.Length / 200, $"{differences.Count(d => d > 0)} of {differences.Length} differ ({rng})");

        var tensor = VaeImagePreprocessor.Process(image, outWidth, outHeight);
        var plane = outWidth * outHeight;
        for (var i = 0; i < plane * 3; i++)
        {
            Assert.Equal(result[i] / 255f * 2f - 1f, tensor.Data[(i % 3) * plane + i / 3]);
        }
    }

    [Theory]
    // Bytes produced by Pillow 9.4, Image.fromarray(src).resize((w, h), Image.LANCZOS), for the pattern below.
    [InlineData(12, 9, 5, 4, "627F8E7988967D82856D7B8F75847A81877C9188878D867B80837E8D838C6C9D7D7C816B9B868078896C9172718164978477927776787D8282836196")]
    [InlineData(7, 5, 10, 7, "002F5D0C3D6C2956943C70C0539ED577BEFFA5DBFFBDFF48DB850DED00442252A83076D15DBCC090CD5FC576619545963E73A44E957E7E85858E66A487C59AA9A5CEB5ACA994CC1EC64A32880E7A075B8B2F818472859D8080BBACFE1DE77F36C10A62224C842876A06892E084BCE6A6FE47D28921EB0A5C2F6E4456536C6756CF4FA2F77DFB7DDFC043F346826E6981538F9F8D86C12553BA3B958E86B884C583B29CB06A9D9B54C1538A6E81736F8F8BA376B473A2EF8DE36BDCBE00FA1B426326821479D668B9E0A7FF37E68D15FF065A")]
    [InlineData(12, 9, 12, 4, "487D7D7371B665AA699B5D99528DC281B658AB4D824176B16BA6649A589E4D92918685526A9B76997F6F8373A687A665AA6EA371A65FA7639867A1609F63936496879A8F6A936BAF6EB388578A7A9E8E744E9857AC588D6DA25BC66FA483A56449796E9D8273967449886D9F905C9285438867ACA99864A088508574A94B646EA392548F7DB3486E6BB18F6198855388")]
    public void LanczosResizeMatchesPillowBytes(int width, int height, int outWidth, int outHeight, string pillowHex)
    {
        var pattern = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    pattern[(y * width + x) * 3 + c] = (byte)((x * 37 + y * 91 + c * 53 + x * y * 7) % 256);
                }
            }
        }
        var resized = VaeImagePreprocessor.ResizeLanczos(RgbImage.FromRgb24(pattern, width, height), outWidth, outHeight);
        Assert.Equal(Convert.FromHexString(pillowHex), resized.Pixels.ToArray());
    }

    [Fact]
    public void SameSizeVaeInputIsTheMappedPixels()
    {
        var rng = new TestRandom();
        var image = ImageSamples.RandomImage(rng, 33, 17);
        var result = VaeImagePreprocessor.Process(image, 33, 17);
        for (var i = 0; i < 33 * 17; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(image.Pixels[i * 3 + c] / 255f * 2f - 1f, result.Data[c * 33 * 17 + i]);
            }
        }
        Assert.Throws<ImageSizeException>(() => VaeImagePreprocessor.Process(image, 0, 17));
    }
}
