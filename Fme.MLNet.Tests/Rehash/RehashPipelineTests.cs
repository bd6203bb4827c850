using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Rehash;
using Fme.MLNet.Tests.Models;
using Fme.MLNet.Tests.Pipelines;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Rehash;

/// <summary>
/// One pipeline over the tiny model set with the default cuts, shared by the Step Rehash pipeline tests, and the frames
/// of a generation with every step full through the rehash models (several tests compare with them).
/// </summary>
public sealed class RehashPipelineFixture : IDisposable
{
    private VideoDiffusionPipeline? _pipeline;
    private VideoFrames? _allFull;

    public VideoDiffusionPipeline Get(TinyModelFixture tiny) => _pipeline ??= VideoDiffusionPipeline.Load(tiny.Path);

    public VideoFrames AllFull(TinyModelFixture tiny) =>
        _allFull ??= Get(tiny).Generate(RehashPipelineTests.Image(), RehashPipelineTests.Small with { StepRehash = StepRehashOptions.WithInterval(1) });

    public void Dispose() => _pipeline?.Dispose();
}

[Collection(TinyModelCollection.Name)]
public class RehashPipelineTests(TinyModelFixture tiny, RehashPipelineFixture shared) : IClassFixture<RehashPipelineFixture>
{
    internal static readonly GenerationOptions Small = new() { Width = 64, Height = 64, Steps = 3, Seed = 5 };

    private VideoDiffusionPipeline Pipeline => shared.Get(tiny);

    internal static RgbImage Image() => PipelineTests.RandomImage(new TestRandom(3));

    private static bool Same(VideoFrames a, VideoFrames b) =>
        Enumerable.Range(0, a.FrameCount).All(i => a.GetFrame(i).Span.SequenceEqual(b.GetFrame(i).Span));

    [Fact]
    public void Off_RunsTheWholeUnetEveryStep_AndAllFullStepsGiveTheSameFrames()
    {
        var pipeline = Pipeline;
        var off = pipeline.Generate(Image(), Small);
        Assert.Equal(new UnetCalls([0, 1, 2], []).ToString(), pipeline.LastUnetCalls.ToString());
        var plainPeak = pipeline.UnetPlan!.PredictedPeakStreamlinedBytes;

        // Every step full, through the model that also hands out the deep tensor: the same frames.
        Assert.True(Same(off, shared.AllFull(tiny)), "an all-full rehash schedule changed the frames");
        pipeline.Generate(Image(), Small with { Steps = 1, StepRehash = StepRehashOptions.WithInterval(1) });
        Assert.Equal(new UnetCalls([0], []).ToString(), pipeline.LastUnetCalls.ToString());
        // The full model keeps the deep tensor (depth 1: [2 x 14, 32, 8, 8] float32) to its end: the predicted peak of its
        // activations may grow by that tensor's size, no more.
        const long deepBytes = 2 * 14 * 32 * 8 * 8 * sizeof(float);
        Assert.True(pipeline.UnetPlan!.PredictedPeakStreamlinedBytes <= plainPeak + deepBytes,
            $"full model {pipeline.UnetPlan.PredictedPeakStreamlinedBytes} bytes vs plain UNet {plainPeak} + deep tensor {deepBytes}");
    }

    [Fact]
    public void Interval_RunsTheWholeUnetOnlyOnScheduledSteps_DeterministicPerSeed()
    {
        var pipeline = Pipeline;
        var rehash = Small with { StepRehash = StepRehashOptions.WithInterval(2) };
        var a = pipeline.Generate(Image(), rehash);
        Assert.Equal([0, 2], pipeline.LastUnetCalls.FullSteps);
        Assert.Equal([1], pipeline.LastUnetCalls.ShallowSteps);
        Assert.True(pipeline.Unet.ShallowPlan!.PredictedPeakStreamlinedBytes <= pipeline.Unet.Plan!.PredictedPeakStreamlinedBytes);
        var b = pipeline.Generate(Image(), rehash);
        Assert.True(Same(a, b), "same seed and schedule, different frames");
        Assert.True(a.GetFrame(4).ToArray().Distinct().Count() > 10, "frames are flat");
        Assert.False(Same(a, shared.AllFull(tiny)), "rehash steps changed nothing: were they full?");
    }

    [Fact]
    public void CalibratedSchedule_IsFollowed_AndReproducesTheFramesWhenSavedAndLoaded()
    {
        var pipeline = Pipeline;
        var options = Small with { Steps = 4 };
        var schedule = pipeline.CalibrateRehash(Image(), options, fullSteps: 2);
        Assert.Equal(new UnetCalls([0, 1, 2, 3], []).ToString(), pipeline.LastUnetCalls.ToString());
        Assert.Equal(4, schedule.StepCount);
        var changes = schedule.DeepChanges!;
        Assert.Equal(3, changes.Count);
        Assert.All(changes, c => Assert.True(c > 0 && double.IsFinite(c), $"change {c}"));
        Assert.Equal([0, 1 + changes.ToList().IndexOf(changes.Max())], schedule.FullSteps);

        var withSchedule = options with { StepRehash = StepRehashOptions.WithSchedule(schedule) };
        var first = pipeline.Generate(Image(), withSchedule);
        Assert.Equal(schedule.FullSteps, pipeline.LastUnetCalls.FullSteps);
        Assert.Equal(2, pipeline.LastUnetCalls.Shallow);
        using var folder = new TempFolder();
        schedule.Save(folder.File("schedule.json"));
        var loaded = RehashSchedule.Load(folder.File("schedule.json"));
        var again = pipeline.Generate(Image(), options with { StepRehash = StepRehashOptions.WithSchedule(loaded) });
        Assert.True(Same(first, again), "the saved schedule gave other frames");
    }

    [Fact]
    public void ScheduleForAnotherStepCount_AndDepthBeyondTheLevels_AreRefused()
    {
        var pipeline = Pipeline;
        var wrongLength = Small with { Steps = 4, StepRehash = StepRehashOptions.WithSchedule(RehashSchedule.Interval(3, 2)) };
        var e = Assert.Throws<ArgumentException>(() => pipeline.Generate(Image(), wrongLength));
        Assert.Contains("for 3 steps but the generation has 4", e.Message);
        var tooDeep = Small with { Steps = 2, StepRehash = StepRehashOptions.WithInterval(2) with { Depth = 5 } };
        var d = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Generate(Image(), tooDeep));
        Assert.Contains("between 1 and 4", d.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.CalibrateRehash(Image(), Small, fullSteps: 4));
    }
}
