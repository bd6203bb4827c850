using System.CommandLine;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Microsoft.ML;

namespace Fme.BatchScoring;

/// <summary>The command line of the batch scorer.</summary>
public static class BatchCommand
{
    /// <summary>Sizes and steps used with the built-in tiny model (its videos are noise, so small is enough).</summary>
    private const int TinySize = 128, TinySteps = 4;

    /// <summary>The root command, writing progress to <paramref name="output"/> and failures to <paramref name="error"/>.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var input = new Argument<DirectoryInfo>("input") { Description = "Folder of images (PNG, JPEG, BMP, WebP)." };
        var target = new Argument<DirectoryInfo>("output") { Description = "Folder for the GIFs (one per image, same name)." };
        var model = new Option<DirectoryInfo?>("--model", "-m") { Description = "An SVD model folder; without it, the built-in tiny model set (its videos are noise)." };
        var width = new Option<int?>("--width") { Description = $"Frame width, a multiple of 64 (default 1024; {TinySize} with the tiny model)." };
        var height = new Option<int?>("--height") { Description = $"Frame height, a multiple of 64 (default 576; {TinySize} with the tiny model)." };
        var steps = new Option<int?>("--steps") { Description = $"Denoising steps (default 25; {TinySteps} with the tiny model)." };
        var frames = new Option<int?>("--frames") { Description = "Frames per video (default: the model's num_frames)." };
        var seed = new Option<ulong?>("--seed") { Description = "Noise seed for every video (default: random)." };
        var root = new RootCommand("Turn a folder of images into GIFs with Stable Video Diffusion, through an ML.NET pipeline. Rerun to resume.")
        {
            input, target, model, width, height, steps, frames, seed,
        };
        root.SetAction((parse, cancellation) =>
        {
            var folder = parse.GetValue(model);
            var defaults = folder is null
                ? new GenerationOptions { Width = TinySize, Height = TinySize, Steps = TinySteps }
                : GenerationOptions.Default;
            var options = new GenerateVideoFmeOptions("Video", "Image")
            {
                ModelFolder = folder?.FullName,
                Generation = defaults with
                {
                    Width = parse.GetValue(width) ?? defaults.Width,
                    Height = parse.GetValue(height) ?? defaults.Height,
                    Steps = parse.GetValue(steps) ?? defaults.Steps,
                    NumFrames = parse.GetValue(frames),
                    Seed = parse.GetValue(seed),
                },
            };
            var scorer = new BatchScorer(new MLContext(), options);
            var progress = new Progress(output, error);
            var summary = scorer.Run(parse.GetValue(input)!.FullName, parse.GetValue(target)!.FullName, progress, cancellation);
            output.Write(summary.ToString());
            return Task.FromResult(summary.Failed > 0 || summary.Cancelled ? 1 : 0);
        });
        return root;
    }

    /// <summary>One line per image, as it is handled (synchronously, so lines keep their order).</summary>
    private sealed class Progress(TextWriter output, TextWriter error) : IProgress<BatchItem>
    {
        public void Report(BatchItem item)
        {
            var name = Path.GetFileName(item.ImagePath);
            switch (item.Status)
            {
                case BatchItemStatus.Done:
                    output.WriteLine($"done     {name} -> {Path.GetFileName(item.OutputPath)} ({item.Elapsed.TotalSeconds:0.0} s)");
                    break;
                case BatchItemStatus.Skipped:
                    output.WriteLine($"skipped  {name} ({Path.GetFileName(item.OutputPath)} exists)");
                    break;
                default:
                    error.WriteLine($"FAILED   {name}: {item.Error}");
                    break;
            }
        }
    }
}
