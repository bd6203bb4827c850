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
    public void LanczosResizeAgreesWithPilsDefinitionWithinOneLevel(int width, int height, int outWidth, int outHeight)
    {
        var rng = new TestRandom();
        var image = ImageSamples.RandomImage(rng, width, height);
        var result = VaeImagePreprocessor.Process(image, outWidth, outHeight);
        var reference = ReferenceResize.Lanczos3(image.Pixels.ToArray(), width, height, outWidth, outHeight);
        var plane = outWidth * outHeight;
        var worst = 0.0;
        for (var i = 0; i < plane; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                var level = (result.Data[c * plane + i] + 1) / 2 * 255;
                worst = Math.Max(worst, Math.Abs(level - reference[i * 3 + c]));
            }
        }
        Assert.True(worst <= 1.0001, $"worst difference {worst} levels ({rng})");
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
