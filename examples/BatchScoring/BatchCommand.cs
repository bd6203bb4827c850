using System.CommandLine;
using Fme.CommandLine;
using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Microsoft.ML;

namespace Fme.BatchScoring;

/// <summary>The command line of the batch scorer.</summary>
public static class BatchCommand
{
    /// <summary>The root command, writing progress to <paramref name="output"/> and failures to <paramref name="error"/>.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var input = new Argument<DirectoryInfo>("input") { Description = "Folder of images (PNG, JPEG, BMP, WebP)." };
        var target = new Argument<DirectoryInfo>("output") { Description = "Folder for the videos (one per image, same name)." };
        var format = new Option<string>("--format")
        {
            Description = $"Video format: {string.Join(", ", VideoFileFormats.Names)} (png: a folder of frames per image). MP4 and WebM need ffmpeg. Default gif.",
            DefaultValueFactory = _ => "gif",
        };
        format.AcceptOnlyFromAmong([.. VideoFileFormats.Names]);
        var generation = new GenerationArguments();
        var root = new RootCommand("Turn a folder of images into videos with Stable Video Diffusion, through an ML.NET pipeline. Rerun to resume.\n\n" +
            "Example:\n  fme-batch photos/ videos/ --format mp4 --steps 12 --seed 7 --motion-bucket 100")
        {
            input, target, format,
        };
        generation.AddTo(root);
        root.SetAction((parse, cancellation) =>
        {
            var videoFormat = VideoFileFormats.Parse(parse.GetValue(format)!);
            var folder = parse.GetValue(input)!.FullName;
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"Input folder '{folder}' was not found.");
            }
            var outputFolder = parse.GetValue(target)!.FullName;
            OutputFormats.Check(Path.Combine(outputFolder, "probe" + videoFormat.Extension()), videoFormat);
            var options = new GenerateVideoFmeOptions("Video", "Image")
            {
                ModelFolder = parse.GetValue(generation.Model)?.FullName,
                Generation = generation.Read(parse),
            };
            var scorer = new BatchScorer(new MLContext(), options, videoFormat);
            var progress = new Progress(output, error);
            var summary = scorer.Run(folder, outputFolder, progress, cancellation);
            output.Write(summary.ToString());
            return Task.FromResult(summary.Failed > 0 || summary.Cancelled ? ExitCodes.SomeFailed : ExitCodes.Success);
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
