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
    public static int Run(string config, string modelFolder, int size, int frames, int steps, long? budget)
    {
        var folder = SvdModelFolder.Open(modelFolder);
        var latent = size / 8;
        return config switch
        {
            "unet-plain" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), null),
            "unet-streamlined" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), StreamlineOptions.Default),
            "unet-budget" => Network(config, folder.Unet.OnnxPath, UnetInputs(latent, frames), StreamlineOptions.Default with { MemoryBudgetBytes = budget }),
            "decoder-plain" => Network(config, folder.VaeDecoder.OnnxPath, DecoderInputs(latent, frames), null),
            "decoder-streamlined" => Network(config, folder.VaeDecoder.OnnxPath, DecoderInputs(latent, frames), DecoderOptions(StreamlineOptions.Default)),
            "pipeline" => Pipeline(config, modelFolder, size, frames, steps),
            _ when config.StartsWith("rehash-", StringComparison.Ordinal) => RehashChild.Run(config, modelFolder, size, frames, steps),
            _ => throw new ArgumentException($"Unknown configuration '{config}'."),
        };
    }

    private static StreamlineOptions DecoderOptions(StreamlineOptions o) => o with
    {
        InputAxes = new Dictionary<string, AxisLabel[]> { ["latent_sample"] = [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width] },
    };

    private static Dictionary<string, OrtValue> UnetInputs(int latent, int frames)
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

    private static Dictionary<string, OrtValue> DecoderInputs(int latent, int frames)
    {
        var latents = new float[frames * 4 * latent * latent];
        new Fme.MLNet.Diffusion.GaussianNoise(2).Fill(latents);
        return new Dictionary<string, OrtValue>
        {
            ["latent_sample"] = OrtValue.CreateTensorValueFromMemory(latents, [frames, 4, latent, latent]),
            ["num_frames"] = OrtValue.CreateTensorValueFromMemory(new long[] { frames }, [1]),
        };
    }

    private static int Network(string config, string path, Dictionary<string, OrtValue> inputs, StreamlineOptions? streamline)
    {
        var clock = Stopwatch.StartNew();
        var names = inputs.Keys.ToArray();
        var values = names.Select(n => inputs[n]).ToArray();
        Action call;
        IDisposable session;
        Func<long?> predicted = () => null;
        if (streamline is null)
        {
            // A plain session as a user would make it: default options (CPU arena and memory patterns on).
            var plain = new InferenceSession(path);
            session = plain;
            call = () => plain.Run(new RunOptions(), names, values, plain.OutputNames).Dispose();
        }
        else
        {
            var streamlined = StreamlinedSession.Create(path, streamline);
            session = streamlined;
            call = () => streamlined.Run(inputs).Dispose();
            predicted = () => streamlined.Plan?.PredictedPeakStreamlinedBytes;
        }
        using (session)
        {
            call(); // warm-up: sessions, plans, arenas
            var setup = clock.Elapsed.TotalSeconds;
            ProcessMemory.ResetPeak();
            var started = Stopwatch.GetTimestamp();
            call();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine(new Measurement(config, setup, seconds, ProcessMemory.PeakResidentBytes, ProcessMemory.PeakResidentBytes, predicted(), null).ToLine());
        }
        return 0;
    }

    private static int Pipeline(string config, string modelFolder, int size, int frames, int steps)
    {
        var clock = Stopwatch.StartNew();
        using var pipeline = VideoDiffusionPipeline.Load(modelFolder);
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
            $"median step {median:0.000} s; outside ONNX Runtime {outside:P1} of the generation's wall time; {video.FrameCount} frames").ToLine());
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
