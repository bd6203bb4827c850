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
        var shardIndex = new Option<int>("--shard-index") { Description = "Handle only shard I (from 0) of the images, split by file name hash; with --shard-count.", DefaultValueFactory = _ => 0 };
        var shardCount = new Option<int>("--shard-count") { Description = "Split the images into N shards, each image in exactly one, for N independent runs (default 1).", DefaultValueFactory = _ => 1 };
        var generation = new GenerationArguments();
        var root = new RootCommand("Turn a folder of images into videos with Stable Video Diffusion, through an ML.NET pipeline. Rerun to resume.\n\n" +
            "Example:\n  fme-batch photos/ videos/ --format mp4 --steps 12 --seed 7 --motion-bucket 100\n" +
            "Split over 4 machines (machine I runs): fme-batch photos/ videos/ --shard-index I --shard-count 4")
        {
            input, target, format, shardIndex, shardCount,
        };
        generation.AddTo(root);
        root.SetAction((parse, cancellation) =>
        {
            var videoFormat = VideoFileFormats.Parse(parse.GetValue(format)!);
            var shard = Shard(parse.GetValue(shardIndex), parse.GetValue(shardCount));
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
            var scorer = new BatchScorer(new MLContext(), options, videoFormat) { Shard = shard };
            var progress = new Progress(output, error);
            var summary = scorer.Run(folder, outputFolder, progress, cancellation);
            output.Write(summary.ToString());
            return Task.FromResult(summary.Failed > 0 || summary.Cancelled ? ExitCodes.SomeFailed : ExitCodes.Success);
        });
        return root;
    }

    private static ImageShard Shard(int index, int count)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new ArgumentException($"--shard-index must be in [0, --shard-count - 1] and --shard-count at least 1; found --shard-index {index} --shard-count {count}.");
        }
        return new ImageShard(index, count);
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
