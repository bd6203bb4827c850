using System.CommandLine;
using System.Diagnostics;
using Fme.CommandLine;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Imaging;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;

namespace Fme.Cli;

/// <summary>
/// <c>fme generate --image PATH [--model DIR] [--output out.gif|out.mp4|out.webm] ...</c>: the main job. Without a model folder it runs
/// the built-in tiny model set at a size that finishes in a minute or two on two cores.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo>("--image", "-i") { Description = "The conditioning image (PNG, JPEG, ...).", Required = true };
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "The video to write; its extension chooses the format: .gif, .mp4 (H.264) or .webm (VP9). MP4 and WebM need ffmpeg.",
            DefaultValueFactory = _ => new FileInfo("out.gif"),
        };
        var pngFrames = new Option<DirectoryInfo?>("--png-frames") { Description = "Also write every frame as a PNG into this folder." };
        var gpu = new Option<int?>("--gpu") { Description = "Run on this CUDA device (falls back to the CPU when CUDA 13 / cuDNN 9 are missing)." };
        var shrink = new Option<bool>("--shrink-arenas") { Description = "Return ONNX Runtime's free arena memory after every run: less memory, more time." };
        var tf32 = new Option<bool>("--allow-tf32") { Description = "On CUDA, let float32 networks use TF32 (faster, about three decimal digits)." };
        var generation = new GenerationArguments();
        var streamline = new StreamlineArguments();
        var rehash = new RehashArguments();
        var command = new Command("generate",
            "Generate a video from an image with Stable Video Diffusion and write it as GIF, MP4 or WebM.\n\n" +
            "Example:\n  fme generate --image examples/sample.png --output out.mp4 --seed 42 --motion-bucket 180")
        {
            image, output, pngFrames, gpu, shrink, tf32,
        };
        generation.AddTo(command);
        streamline.AddTo(command);
        rehash.AddTo(command);
        command.SetAction((parse, cancellation) => Task.FromResult(Run(parse, cancellation)));

        int Run(ParseResult parse, CancellationToken cancellation)
        {
            var clock = Stopwatch.StartNew();
            // Everything that can be checked without the model is checked first: a mistake costs no generation.
            var picture = RgbImage.FromFile(parse.GetValue(image)!.FullName);
            var target = parse.GetValue(output)!;
            var format = OutputFormats.FromFileName(target.FullName);
            OutputFormats.Check(target.FullName, format);
            if (parse.GetValue(pngFrames) is { } pngFolder)
            {
                OutputFormats.Check(pngFolder.FullName, VideoFileFormat.Png);
            }
            var folder = parse.GetValue(generation.Model);
            var tiny = folder is null;
            var options = generation.Read(parse);
            options = options with { Seed = options.Seed ?? (ulong)Random.Shared.NextInt64() };
            var cut = streamline.Read(parse);
            var pipelineOptions = new PipelineOptions
            {
                GpuDeviceId = parse.GetValue(gpu),
                ShrinkArenas = parse.GetValue(shrink),
                AllowTf32 = parse.GetValue(tf32),
                Unet = cut,
                Decoder = cut,
                Log = line => Console.Error.WriteLine(line),
            };
            using var pipeline = tiny ? VideoDiffusionPipeline.LoadTiny(pipelineOptions) : VideoDiffusionPipeline.Load(folder!.FullName, pipelineOptions);
            Console.WriteLine(tiny
                ? $"Model: the built-in tiny SVD set at {pipeline.Models.FolderPath}. Its weights are random, so the video is noise; " +
                  $"it runs at {options.Width}x{options.Height}, {options.Steps} steps to finish quickly. With a real model folder " +
                  "(--model DIR, see the README) the defaults are 1024x576 and 25 steps, and the frames show motion from your image."
                : $"Model: {pipeline.Models.FolderPath}");
            Console.WriteLine($"Seed {options.Seed}, {options.Fps} fps, motion bucket {options.MotionBucketId}, noise augmentation {options.NoiseAugStrength:0.###}, " +
                              $"guidance {options.MinGuidanceScale:0.##} to {options.MaxGuidanceScale:0.##}.");
            var bar = new ProgressBar(options.Steps);
            var beforeCalibration = clock.Elapsed;
            options = options with { StepRehash = rehash.Resolve(parse, pipeline, picture, options, bar, cancellation) };
            // A calibration is a whole generation of its own: keep its time out of the share spent outside ONNX Runtime.
            var calibration = parse.GetValue(rehash.Calibrate) is null ? TimeSpan.Zero : clock.Elapsed - beforeCalibration;
            var video = pipeline.Generate(picture, options, bar, cancellation);
            video.Save(target.FullName, format);
            if (parse.GetValue(pngFrames) is { } pngs)
            {
                video.SavePngFrames(pngs.FullName);
            }
            var outside = 1 - pipeline.LastRuntimeElapsed.TotalSeconds / Math.Max((clock.Elapsed - calibration).TotalSeconds, 1e-9);
            Console.WriteLine($"UNet plan: {Summary(pipeline.UnetPlan)}; decoder plan: {Summary(pipeline.DecoderPlan)}");
            if (options.StepRehash is not null)
            {
                Console.WriteLine($"UNet calls: {pipeline.LastUnetCalls}.");
            }
            Console.WriteLine(
                $"Wrote {target.FullName} ({video.FrameCount} frames, {video.Width}x{video.Height}, {video.Fps:0.#} fps, seed {options.Seed}) in {clock.Elapsed.TotalSeconds:0.0} s " +
                $"({outside:P0} outside ONNX Runtime, including loading{(calibration > TimeSpan.Zero ? $"; {calibration.TotalSeconds:0.0} s of it calibrating" : "")}); peak memory {StreamlinedPlan.FormatBytes(ProcessMemory.PeakResidentBytes)}.");
            return 0;
        }
        return command;
    }

    private static string Summary(StreamlinedPlan? plan) => plan is null
        ? "none"
        : $"{plan.Groups.Count} groups, {plan.Groups.Count(g => g.Pieces > 1)} cut, predicted activations {StreamlinedPlan.FormatBytes(plan.PredictedPeakStreamlinedBytes)} " +
          $"vs {StreamlinedPlan.FormatBytes(plan.PredictedPeakUnslicedBytes)} unsliced";

    /// <summary>One line on standard error, redrawn per report.</summary>
    private sealed class ProgressBar(int steps) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress p)
        {
            var done = p.Stage == GenerationStage.Denoise ? p.Step : p.Stage > GenerationStage.Denoise ? steps : 0;
            var bar = new string('#', 30 * done / Math.Max(steps, 1)).PadRight(30, '.');
            var sigma = p.Sigma is { } s ? $"  sigma {s,8:0.0000}" : "";
            Console.Error.Write($"\r{p.Stage.ToString().ToLowerInvariant(),-8} [{bar}] {done,3}/{steps}{sigma}  {p.Elapsed.TotalSeconds,6:0.0} s ");
            if (p.Stage == GenerationStage.Done)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
