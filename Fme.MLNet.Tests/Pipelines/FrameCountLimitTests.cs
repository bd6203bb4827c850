using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;

namespace Fme.MLNet.Tests.Pipelines;

/// <summary>Frame counts that cannot be meant are refused when the options are made, before anything is allocated.</summary>
public class FrameCountLimitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(SvdUnetConfig.MaxNumFrames + 1)]
    [InlineData(1_000_000)]
    public void NumFramesOutsideTheRange_IsRefusedWithTheValueAndTheRange(int frames)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { NumFrames = frames });
        Assert.Equal(nameof(GenerationOptions.NumFrames), e.ParamName);
        Assert.Equal(frames, e.ActualValue);
        Assert.Contains($"NumFrames is {frames}; expected 1 to 256 (SvdUnetConfig.MaxNumFrames)", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(SvdUnetConfig.MaxNumFrames)]
    public void NumFramesAtTheBounds_IsAccepted(int frames) =>
        Assert.Equal(frames, new GenerationOptions { NumFrames = frames }.NumFrames);
}
