using Fme.MLNet.Diffusion;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Diffusion;

public class FrameGuidanceTests
{
    [Theory]
    [InlineData(1f, 3f, 14)]
    [InlineData(1f, 3f, 25)]
    [InlineData(2.5f, 2.5f, 3)]
    [InlineData(1f, 3f, 1)]
    public void FrameScalesAreALinearRamp(float min, float max, int frames)
    {
        var scales = FrameGuidance.FrameScales(min, max, frames);
        Assert.Equal(frames, scales.Length);
        Assert.Equal(min, scales[0]);
        if (frames > 1)
        {
            Assert.Equal(max, scales[^1]);
        }
        for (var i = 0; i < frames; i++)
        {
            var expected = frames == 1 ? min : min + (max - min) * (double)i / (frames - 1);
            Assert.Equal(expected, scales[i], 1e-6);
        }
    }

    [Fact]
    public void GuidanceIsOnOnlyAboveOne()
    {
        Assert.False(FrameGuidance.IsEnabled(1f));
        Assert.True(FrameGuidance.IsEnabled(1.01f));
    }

    [Fact]
    public void CombineBlendsEachFrameWithItsScale()
    {
        var rng = new TestRandom();
        int batch = 2, frames = 3, perFrame = 4 * 5 * 7;
        var scales = FrameGuidance.FrameScales(1f, 3f, frames);
        var output = rng.Normal(2 * batch * frames * perFrame);
        var half = output.Length / 2;
        var expected = new float[half];
        for (var b = 0; b < batch; b++)
        {
            for (var f = 0; f < frames; f++)
            {
                for (var k = 0; k < perFrame; k++)
                {
                    var i = (b * frames + f) * perFrame + k;
                    expected[i] = (float)(output[i] + (double)scales[f] * (output[half + i] - output[i]));
                }
            }
        }
        var actual = new float[half];
        FrameGuidance.Combine(output, batch, scales, actual);
        Compare.Close(actual, expected, 1e-6, rng.ToString());

        // In place into the first half.
        FrameGuidance.Combine(output, batch, scales, output.AsSpan(0, half));
        Assert.Equal(actual, output[..half]);
    }

    [Fact]
    public void CombineChecksShapes()
    {
        var scales = FrameGuidance.FrameScales(1f, 3f, 3);
        Assert.Equal("modelOutput", Assert.Throws<ArgumentException>(() => FrameGuidance.Combine(new float[10], 1, scales, new float[5])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => FrameGuidance.Combine(new float[12], 1, scales, new float[5])).ParamName);
        Assert.Equal("frameScales", Assert.Throws<ArgumentException>(() => FrameGuidance.Combine(new float[12], 1, [], new float[6])).ParamName);
    }
}
