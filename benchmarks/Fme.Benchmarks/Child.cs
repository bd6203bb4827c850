using System.Diagnostics;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Imaging;
using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;

namespace Fme.Benchmarks;

/// <summary>
/// One configuration in this (fresh) process: set up, run once to warm up, reset the peak, run the measured call, and
/// print one measurement line. Peak resident memory is read from the operating system (VmHWM).
/// </summary>
internal static class Child
{
    public static int Run(string config, string modelFolder, int size, int frames, int steps, long? budget, int? gpu, string? shrink)
    {
        // On a GPU: CUDA only (a silent CPU fallback would measure the wrong thing), sessions as the pipeline makes them.
        var factory = gpu is null ? null : new SessionOptionsFactory(new PipelineOptions { GpuDeviceId = gpu, FallbackToCpu = false, Log = Console.Error.WriteLine });
        var folder = SvdModelFolder.Open(modelFolder);
        var latent = size / 8;
        return config switch
        {
            "unet-plain" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), null, factory, shrink),
            "unet-streamlined" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), StreamlineOptions.Default, factory, shrink),
            "unet-budget" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), StreamlineOptions.Default with { MemoryBudgetBytes = budget }, factory, shrink),
            "decoder-plain" => Network(config, folder.VaeDecoder.OnnxPath, DecoderInputs(latent, frames), null, factory, shrink),
            "decoder-streamlined" => Network(config, folder.VaeDecoder.OnnxPath, DecoderInputs(latent, frames), DecoderOptions(StreamlineOptions.Default), factory, shrink),
            "unet-verify" => Verify(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), StreamlineOptions.Default, factory),
            "decoder-verify" => Verify(config, folder.VaeDecoder.OnnxPath, DecoderInputs(latent, frames), DecoderOptions(StreamlineOptions.Default), factory),
            "groupnorm-accuracy" => NormAccuracy.Run(config, size, frames, factory),
            "pipeline" => Pipeline(config, modelFolder, size, frames, steps, gpu),
            _ when config.StartsWith("rehash-", StringComparison.Ordinal) => RehashChild.Run(config, modelFolder, size, frames, steps, gpu),
            _ => throw new ArgumentException($"Unknown configuration '{config}'."),
        };
    }

    private static StreamlineOptions DecoderOptions(StreamlineOptions o) => o with
    {
        InputAxes = new Dictionary<string, AxisLabel[]> { ["latent_sample"] = [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width] },
    };

    internal static Dictionary<string, OrtValue> UnetInputs(int latent, int frames)
    {
        var noise = new Fme.MLNet.Diffusion.GaussianNoise(1);
        var sample = new float[2 * frames * 8 * latent * latent];
        noise.Fill(sample);
        var states = new float[2 * 64];
        noise.Fill(states);
        return new Dictionary<string, OrtValue>
        {
            ["sample"] = OrtValue.CreateTensorValueFromMemory(sample, [2, frames, 8, latent, latent]),
            ["timestep"] = OrtValue.CreateTensorValueFromMemory(new[] { 0.5f }, [1]),
            ["encoder_hidden_states"] = OrtValue.CreateTensorValueFromMemory(states, [2, 1, 64]),
            ["added_time_ids"] = OrtValue.CreateTensorValueFromMemory(new[] { 6f, 127f, 0.02f, 6f, 127f, 0.02f }, [2, 3]),
        };
    }

    internal static Dictionary<string, OrtValue> DecoderInputs(int latent, int frames)
    {
        var latents = new float[frames * 4 * latent * latent];
        new Fme.MLNet.Diffusion.GaussianNoise(2).Fill(latents);
        return new Dictionary<string, OrtValue>
        {
            ["latent_sample"] = OrtValue.CreateTensorValueFromMemory(latents, [frames, 4, latent, latent]),
            ["num_frames"] = OrtValue.CreateTensorValueFromMemory(new long[] { frames }, [1]),
        };
    }

    private static int Network(string config, string path, Dictionary<string, OrtValue> inputs, StreamlineOptions? streamline, SessionOptionsFactory? factory,
        string? shrink)
    {
        using var gpuMemory = factory is null ? null : GpuMemory.Start();
        var clock = Stopwatch.StartNew();
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => inputs[n]).ToArray();
        Action call;
        IDisposable session;
        Func<long?> predicted = () => null;
        Func<IReadOnlyList<TimeSpan>?> groupTimes = () => null;
        // With --shrink, ONNX Runtime returns the arenas' free memory after each call (of each piece, when streamlined).
        using var runOptions = new RunOptions();
        if (shrink is not null)
        {
            runOptions.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", shrink);
        }
        if (streamline is null)
        {
            // A plain session as a user would make it: default options (CPU arena and memory patterns on); on a GPU, the
            // same CUDA options as the streamlined groups get.
            var plain = PlainSession(path, factory);
            session = plain;
            call = () => plain.Run(runOptions, names, values, plain.OutputNames).Dispose();
        }
        else
        {
            var streamlined = StreamlinedSession.Create(path, streamline, factory?.Create(streamlined: true));
            session = streamlined;
            call = () => streamlined.Run(inputs, runOptions).Dispose();
            predicted = () => streamlined.Plan?.PredictedPeakStreamlinedBytes;
            groupTimes = () => streamlined.GroupTimesOfLastRun;
        }
        using (session)
        {
            call(); // warm-up: sessions, plans, arenas
            var setup = clock.Elapsed.TotalSeconds;
            ProcessMemory.ResetPeak();
            var started = Stopwatch.GetTimestamp();
            call();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            // Where a streamlined call spends its time: the slowest groups, in plan order numbers.
            var slowest = groupTimes() is { } times
                ? "slowest groups: " + string.Join(", ", times.Select((t, i) => (t, i)).OrderByDescending(x => x.t).Take(4).Select(x => $"#{x.i} {x.t.TotalSeconds:0.000} s"))
                : null;
            var measurement = new Measurement(config, setup, seconds, ProcessMemory.PeakResidentBytes, ProcessMemory.PeakResidentBytes, predicted(), slowest);
            gpuMemory?.Dispose();
            Console.WriteLine((measurement with { GpuPeakBytes = gpuMemory?.PeakBytes }).ToLine());
        }
        return 0;
    }

    /// <summary>A plain session with default options, or on a GPU with the options the streamlined groups get.</summary>
    private static InferenceSession PlainSession(string path, SessionOptionsFactory? factory) =>
        factory is null ? new InferenceSession(path) : new InferenceSession(path, factory.Create(streamlined: false));

    /// <summary>The streamlined output against the plain session's, same inputs and session options (e.g. both on CUDA).</summary>
    private static int Verify(string config, string path, Dictionary<string, OrtValue> inputs, StreamlineOptions streamline, SessionOptionsFactory? factory)
    {
        var clock = Stopwatch.StartNew();
        using var plain = PlainSession(path, factory);
        using var streamlined = StreamlinedSession.Create(path, streamline, factory?.Create(streamlined: true));
        var names = inputs.Keys.ToArray();
        using var expected = plain.Run(new RunOptions(), names, names.Select(n => inputs[n]).ToArray(), [plain.OutputNames[0]]);
        using var actual = streamlined.Run(inputs);
        var e = expected[0].GetTensorDataAsSpan<float>();
        var a = actual[plain.OutputNames[0]].GetTensorDataAsSpan<float>();
        double difference = 0, reference = 0, max = 0;
        for (var i = 0; i < e.Length; i++)
        {
            double d = a[i] - e[i];
            difference += d * d;
            reference += (double)e[i] * e[i];
            max = Math.Max(max, Math.Abs(d));
        }
        var relative = Math.Sqrt(difference / reference);
        Console.WriteLine(new Measurement(config, clock.Elapsed.TotalSeconds, 0, ProcessMemory.PeakResidentBytes, ProcessMemory.PeakResidentBytes, null,
            $"{plain.OutputNames[0]}: relative L2 error {relative:0.00e+0}, max abs difference {max:0.00e+0} over {e.Length} values ({(relative <= 1e-5 ? "within" : "OUTSIDE")} 1e-5)").ToLine());
        return relative <= 1e-5 ? 0 : 1;
    }

    private static int Pipeline(string config, string modelFolder, int size, int frames, int steps, int? gpu)
    {
        var clock = Stopwatch.StartNew();
        using var gpuMemory = gpu is null ? null : GpuMemory.Start();
        using var pipeline = VideoDiffusionPipeline.Load(modelFolder, new PipelineOptions { GpuDeviceId = gpu, FallbackToCpu = gpu is null, Log = Console.Error.WriteLine });
        var image = RgbImage.FromFile(Path.Combine(AppContext.BaseDirectory, "sample.png"));
        var options = new GenerationOptions { Width = size, Height = size, NumFrames = frames, Steps = steps, Seed = 1 };
        var stepTimes = new List<double>();
        var progress = new StepClock(stepTimes);
        var setup = clock.Elapsed.TotalSeconds;
        var started = Stopwatch.GetTimestamp();
        var video = pipeline.Generate(image, options, progress);
        var total = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var outside = 1 - pipeline.LastRuntimeElapsed.TotalSeconds / total;
        var median = stepTimes.Order().ElementAt(stepTimes.Count / 2);
        Console.WriteLine(new Measurement(config, setup, total, ProcessMemory.PeakResidentBytes, ProcessMemory.PeakResidentBytes, null,
            $"median step {median:0.000} s; outside ONNX Runtime {outside:P1} of the generation's wall time; {video.FrameCount} frames")
        {
            GpuPeakBytes = gpuMemory?.PeakBytes,
        }.ToLine());
        return 0;
    }

    /// <summary>Wall time of each denoising step, from the progress reports (delivered synchronously).</summary>
    internal sealed class StepClock(List<double> times) : IProgress<GenerationProgress>
    {
        private TimeSpan _last;

        public void Report(GenerationProgress p)
        {
            if (p.Stage == GenerationStage.Denoise)
            {
                times.Add((p.Elapsed - _last).TotalSeconds);
            }
            _last = p.Elapsed;
        }
    }
}
