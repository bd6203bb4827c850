using Fme.MLNet.Imaging;
using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Models;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Pipelines;

/// <summary>One pipeline over the tiny model set that cuts everything it can, shared by the tests of a run.</summary>
public sealed class TinyPipelineFixture : IDisposable
{
    private VideoDiffusionPipeline? _pipeline;

    public VideoDiffusionPipeline Get(TinyModelFixture tiny) => _pipeline ??= VideoDiffusionPipeline.Load(tiny.Path, new PipelineOptions
    {
        Unet = new StreamlineOptions { MinimumCutBytes = 0, CutEverywhere = true },
        Decoder = new StreamlineOptions { MinimumCutBytes = 0, CutEverywhere = true },
    });

    public void Dispose() => _pipeline?.Dispose();
}

[Collection(TinyModelCollection.Name)]
public class PipelineTests(TinyModelFixture tiny, TinyPipelineFixture shared) : IClassFixture<TinyPipelineFixture>
{
    private static readonly GenerationOptions Small = new() { Width = 64, Height = 64, Steps = 3, Seed = 11 };

    internal static RgbImage RandomImage(TestRandom rng, int width = 96, int height = 80)
    {
        var pixels = rng.Uniform(width * height * 3, 0, 255).Select(v => (byte)v).ToArray();
        return RgbImage.FromRgb24(pixels, width, height);
    }

    private VideoDiffusionPipeline Shared => shared.Get(tiny);

    private VideoDiffusionPipeline Pipeline(StreamlineOptions unet, StreamlineOptions decoder) =>
        VideoDiffusionPipeline.Load(tiny.Path, new PipelineOptions { Unet = unet, Decoder = decoder });

    [Fact]
    public void Generates_FramesOfTheAskedSize_DeterministicPerSeed()
    {
        var image = RandomImage(new TestRandom());
        var pipeline = Shared;
        var a = pipeline.Generate(image, Small);
        var b = pipeline.Generate(image, Small);
        var c = pipeline.Generate(image, Small with { Seed = 12 });
        Assert.Equal(14, a.FrameCount);
        Assert.Equal((64, 64), (a.Width, a.Height));
        Assert.Equal(7, a.Fps);
        Assert.True(Enumerable.Range(0, 14).All(i => a.GetFrame(i).Span.SequenceEqual(b.GetFrame(i).Span)), "same seed, different frames");
        Assert.False(Enumerable.Range(0, 14).All(i => a.GetFrame(i).Span.SequenceEqual(c.GetFrame(i).Span)), "different seeds, same frames");
        Assert.True(a.GetFrame(3).ToArray().Distinct().Count() > 10, "frames are flat");
        Assert.NotNull(pipeline.UnetPlan);
        Assert.NotNull(pipeline.DecoderPlan);
    }

    [Fact]
    public void StreamlinedSettings_DoNotChangeTheFrames()
    {
        var image = RandomImage(new TestRandom());
        using var reference = Pipeline(StreamlineOptions.Unsliced, StreamlineOptions.Unsliced);
        var expected = reference.Generate(image, Small);
        var uneven = new StreamlineOptions { FrameChunks = 4, PixelChunks = 3, MinimumCutBytes = 0, CutEverywhere = true };
        using var unevenPipeline = Pipeline(uneven, uneven);
        foreach (var (pipeline, frames, pixels) in new[] { (Shared, 7, 7), (unevenPipeline, 4, 3) })
        {
            var actual = pipeline.Generate(image, Small);
            Assert.Contains(pipeline.UnetPlan!.Groups, g => g.Pieces > 1);
            AssertWithinOneLevel(expected, actual, $"with {frames}/{pixels} pieces");
        }
    }

    [Theory]
    [InlineData(null)] // the shared CPU arena (or none, when another part of the process made the environment)
    [InlineData(1)]    // own thread pools: plain sessions keep an arena, streamlined ones have none to shrink
    public void ShrinkingArenas_KeepsTheFrames(int? threads)
    {
        var image = RandomImage(new TestRandom());
        var expected = Shared.Generate(image, Small);
        // ONNX Runtime refuses a run whose shrinkage names an arena the session does not have: every call must pass.
        using var pipeline = VideoDiffusionPipeline.Load(tiny.Path, new PipelineOptions { ShrinkArenas = true, IntraOpNumThreads = threads });
        var actual = pipeline.Generate(image, Small);
        AssertWithinOneLevel(expected, actual, "when the arenas shrink");
    }

    /// <summary>Float rounding (other cuts, other thread counts) may move a value across a rounding boundary: one 8-bit level at most.</summary>
    private static void AssertWithinOneLevel(VideoFrames expected, VideoFrames actual, string context)
    {
        Assert.Equal(expected.FrameCount, actual.FrameCount);
        for (var i = 0; i < expected.FrameCount; i++)
        {
            var x = expected.GetFrame(i).Span;
            var y = actual.GetFrame(i).Span;
            var worst = 0;
            for (var k = 0; k < x.Length; k++)
            {
                worst = Math.Max(worst, Math.Abs(x[k] - y[k]));
            }
            Assert.True(worst <= 1, $"frame {i} differs by {worst} levels {context}");
        }
    }

    [Fact]
    public void Progress_ReportsEveryStepAndStage()
    {
        var pipeline = Shared;
        var reports = new List<GenerationProgress>();
        pipeline.Generate(RandomImage(new TestRandom()), Small with { Steps = 4 }, new SynchronousProgress(reports.Add));
        Assert.Equal(4, reports.Count(r => r.Stage == GenerationStage.Denoise));
        Assert.Equal([1, 2, 3, 4], reports.Where(r => r.Stage == GenerationStage.Denoise).Select(r => r.Step));
        Assert.Equal([GenerationStage.Encode, GenerationStage.Denoise, GenerationStage.Decode, GenerationStage.Done],
            reports.Select(r => r.Stage).Distinct());
        Assert.All(reports.Where(r => r.Stage == GenerationStage.Denoise), r => Assert.True(r.Sigma > 0));
    }

    [Fact]
    public void Cancellation_StopsTheLoop_AndThePipelineStaysUsable()
    {
        var pipeline = Shared;
        using var cts = new CancellationTokenSource();
        var steps = 0;
        var progress = new SynchronousProgress(r =>
        {
            if (r.Stage == GenerationStage.Denoise && ++steps == 1)
            {
                cts.Cancel();
            }
        });
        Assert.ThrowsAny<OperationCanceledException>(() => pipeline.Generate(RandomImage(new TestRandom()), Small with { Steps = 10 }, progress, cts.Token));
        Assert.Equal(1, steps);
        Assert.Equal(14, pipeline.Generate(RandomImage(new TestRandom()), Small).FrameCount);
    }

    [Theory]
    [InlineData(100, 64, "multiples of 64")]
    [InlineData(64, 72, "multiples of 64")]
    public void SizesTheModelCannotTake_AreRefusedBeforeWork(int width, int height, string expected)
    {
        using var pipeline = VideoDiffusionPipeline.Load(tiny.Path);
        var e = Assert.ThrowsAny<ArgumentException>(() => pipeline.Generate(RandomImage(new TestRandom()), Small with { Width = width, Height = height }));
        Assert.Contains(expected, e.Message);
        Assert.Null(pipeline.UnetPlan);
    }

    [Fact]
    public void InvalidOptions_AreRefusedWhenMade()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { Steps = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { NumFrames = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new GenerationOptions { MaxGuidanceScale = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineOptions { GpuDeviceId = -1 });
    }

    [Fact]
    public void MissingCuda_FallsBackWithALogLine_OrFailsClearly()
    {
        var lines = new List<string>();
        using (var fallback = VideoDiffusionPipeline.Load(tiny.Path, new PipelineOptions { GpuDeviceId = 0, Log = lines.Add }))
        {
            if (fallback.UsesCuda)
            {
                return; // a machine with CUDA: nothing to fall back from
            }
            Assert.Contains(lines, l => l.Contains("CUDA 13") && l.Contains("CPU"));
            Assert.Equal(14, fallback.Generate(RandomImage(new TestRandom()), Small with { Steps = 1 }).FrameCount);
        }
        var e = Assert.Throws<ExecutionProviderException>(() =>
            VideoDiffusionPipeline.Load(tiny.Path, new PipelineOptions { GpuDeviceId = 0, FallbackToCpu = false }));
        Assert.Contains("cuDNN 9", e.Message);
    }

    [Fact]
    public void Float16Model_Runs()
    {
        using var folder = new TempFolder();
        TinySvd.Write(folder.Path, new TinySvdOptions { Float16 = true });
        using var pipeline = VideoDiffusionPipeline.Load(folder.Path);
        var video = pipeline.Generate(RandomImage(new TestRandom()), Small with { Steps = 2 });
        Assert.Equal(14, video.FrameCount);
        Assert.True(video.GetFrame(0).ToArray().Distinct().Count() > 10);
    }

    /// <summary>Progress delivered on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
