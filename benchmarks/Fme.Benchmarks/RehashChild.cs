using System.Diagnostics;
using System.Globalization;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Rehash;

namespace Fme.Benchmarks;

/// <summary>What a Step Rehash configuration measured, beside the full run of the same process.</summary>
internal sealed record RehashResult(
    string Schedule,
    int Depth,
    int FullCalls,
    int ShallowCalls,
    double FullLoopSeconds,
    double RehashLoopSeconds,
    double? CalibrationSeconds,
    double? Psnr,
    int MaxAbsDifference,
    RunMemory FullMemory,
    RunMemory RehashMemory,
    long? FullPredictedBytes,
    long? RehashPredictedBytes);

/// <summary>
/// Resident memory around one generation: at its start (sessions and what the process kept from earlier runs) and its
/// peak above that start (what the generation itself needed: activations, the cached deep tensor, the decoder).
/// </summary>
internal sealed record RunMemory(long StartBytes, long PeakAboveStartBytes);

/// <summary>
/// One Step Rehash configuration (<c>rehash-N</c>: a full step every N; <c>rehash-calibrated-K</c>: K full steps chosen by
/// calibration; either with <c>-depthD</c>): in one process, warm both UNet variants up, time the denoising loop of a full
/// generation and of the rehash generation with the same seed, and compare their frames.
/// </summary>
internal static class RehashChild
{
    public static int Run(string config, string modelFolder, int size, int frames, int steps, int? gpu)
    {
        var (interval, calibratedFullSteps, depth) = Parse(config);
        var clock = Stopwatch.StartNew();
        using var pipeline = VideoDiffusionPipeline.Load(modelFolder, new PipelineOptions { GpuDeviceId = gpu, FallbackToCpu = gpu is null });
        var image = RgbImage.FromFile(Path.Combine(AppContext.BaseDirectory, "sample.png"));
        var options = new GenerationOptions { Width = size, Height = size, NumFrames = frames, Steps = steps, Seed = 1 };
        var warmUp = options with { Steps = 2 };

        // Sessions and plans are made on first use: warm each variant up on two steps before timing it.
        pipeline.Generate(image, warmUp);
        var (full, fullLoop, fullMemory) = Timed(pipeline, image, options);
        var fullPredicted = pipeline.UnetPlan?.PredictedPeakStreamlinedBytes;
        pipeline.Generate(image, warmUp with { StepRehash = StepRehashOptions.WithInterval(2) with { Depth = depth } });

        double? calibrationSeconds = null;
        RehashSchedule schedule;
        if (calibratedFullSteps is { } k)
        {
            var started = Stopwatch.GetTimestamp();
            schedule = pipeline.CalibrateRehash(image, options, k, depth);
            calibrationSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        else
        {
            schedule = RehashSchedule.Interval(steps, interval!.Value);
        }
        var setup = clock.Elapsed.TotalSeconds;
        var rehashOptions = options with { StepRehash = StepRehashOptions.WithSchedule(schedule) with { Depth = depth } };
        var (rehashed, rehashLoop, rehashMemory) = Timed(pipeline, image, rehashOptions);
        var (psnr, maxDiff) = Difference(full, rehashed);
        var calls = pipeline.LastUnetCalls;
        var result = new RehashResult(schedule.ToString(), depth, calls.Full, calls.Shallow, fullLoop, rehashLoop, calibrationSeconds, psnr, maxDiff,
            fullMemory, rehashMemory, fullPredicted, pipeline.UnetPlan?.PredictedPeakStreamlinedBytes);
        var rehashPeak = rehashMemory.StartBytes + rehashMemory.PeakAboveStartBytes;
        Console.WriteLine(new Measurement(config, setup, rehashLoop, rehashPeak, ProcessMemory.PeakResidentBytes, result.RehashPredictedBytes, null)
        {
            Rehash = result,
        }.ToLine());
        return 0;
    }

    /// <summary>(interval, calibrated full steps, depth) from <c>rehash-N[-depthD]</c> or <c>rehash-calibrated-K[-depthD]</c>.</summary>
    private static (int? Interval, int? FullSteps, int Depth) Parse(string config)
    {
        var parts = config.Split('-');
        var depth = parts[^1].StartsWith("depth", StringComparison.Ordinal) ? int.Parse(parts[^1]["depth".Length..], CultureInfo.InvariantCulture) : 1;
        return parts switch
        {
            ["rehash", "calibrated", var k, ..] => (null, int.Parse(k, CultureInfo.InvariantCulture), depth),
            ["rehash", var n, ..] => (int.Parse(n, CultureInfo.InvariantCulture), null, depth),
            _ => throw new ArgumentException($"Unknown rehash configuration '{config}'; expected rehash-N or rehash-calibrated-K, optionally ending in -depthD."),
        };
    }

    /// <summary>Generates; returns the frames, the denoising loop's seconds (sum of the steps) and the run's resident memory.</summary>
    private static (VideoFrames Video, double LoopSeconds, RunMemory Memory) Timed(VideoDiffusionPipeline pipeline, RgbImage image, GenerationOptions options)
    {
        var stepTimes = new List<double>();
        GC.Collect();
        ProcessMemory.ResetPeak();
        var start = ProcessMemory.ResidentBytes;
        var video = pipeline.Generate(image, options, new Child.StepClock(stepTimes));
        return (video, stepTimes.Sum(), new RunMemory(start, ProcessMemory.PeakResidentBytes - start));
    }

    /// <summary>PSNR (dB, peak 255; null when the frames are equal) and the largest absolute difference in 8-bit levels.</summary>
    private static (double? Psnr, int MaxAbsDifference) Difference(VideoFrames reference, VideoFrames other)
    {
        double squares = 0;
        long count = 0;
        var max = 0;
        for (var f = 0; f < reference.FrameCount; f++)
        {
            var a = reference.GetFrame(f).Span;
            var b = other.GetFrame(f).Span;
            for (var i = 0; i < a.Length; i++)
            {
                var d = Math.Abs(a[i] - b[i]);
                squares += d * d;
                max = Math.Max(max, d);
            }
            count += a.Length;
        }
        var mse = squares / count;
        return (mse == 0 ? null : 10 * Math.Log10(255.0 * 255.0 / mse), max);
    }
}
