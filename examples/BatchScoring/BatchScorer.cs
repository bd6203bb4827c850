using System.Diagnostics;
using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Microsoft.ML;

namespace Fme.BatchScoring;

/// <summary>
/// Turns a folder of images into one video (GIF, MP4, WebM or PNG frames) per image through an ML.NET pipeline (LoadImages -> GenerateVideoFme, which
/// resizes each image itself exactly as the pipeline does). Rows stream through one cursor, so one video is in memory at a time; each file is written to a
/// temporary file and renamed; outputs that exist are skipped, so a stopped run resumes where it stopped; an image that
/// fails is reported and the rest carry on.
/// </summary>
public sealed class BatchScorer
{
    /// <summary>Image files read from the input folder (what ML.NET's image loader decodes).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".webp"], StringComparer.OrdinalIgnoreCase);

    private const string PathColumn = "ImagePath", ImageColumn = "Image", VideoColumn = "Video";
    private readonly MLContext _context;
    private readonly GenerateVideoFmeOptions _options;
    private readonly VideoFileFormat _format;

    /// <summary>Creates a scorer.</summary>
    /// <param name="context">The ML.NET context (its GPU settings apply).</param>
    /// <param name="options">Model folder, generation and execution settings; the column names are the scorer's own.</param>
    /// <param name="format">What each video is written as (default GIF).</param>
    public BatchScorer(MLContext context, GenerateVideoFmeOptions options, VideoFileFormat format = VideoFileFormat.Gif)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        _context = context;
        _options = options with { OutputColumnName = VideoColumn, InputColumnName = ImageColumn };
        _format = format;
    }

    /// <summary>The part of the input folder this scorer handles (default: all of it); images of other shards are not listed.</summary>
    public ImageShard Shard { get; init; } = ImageShard.All;

    /// <summary>The video written for <paramref name="imagePath"/>: its name with the format's extension (a folder of that
    /// name for PNG frames), in <paramref name="outputFolder"/>.</summary>
    public static string OutputPathFor(string imagePath, string outputFolder, VideoFileFormat format = VideoFileFormat.Gif) =>
        Path.Combine(outputFolder, Path.GetFileNameWithoutExtension(imagePath) + format.Extension());

    /// <summary>
    /// Handles every image of <paramref name="inputFolder"/> (not its subfolders), in name order. Cancelling stops after
    /// the video being made (the model cannot be interrupted mid-row through ML.NET).
    /// </summary>
    /// <param name="inputFolder">The folder of images.</param>
    /// <param name="outputFolder">Where the videos go; created if missing.</param>
    /// <param name="progress">Told about each image as it is handled.</param>
    /// <param name="cancellationToken">Stops the run between images.</param>
    /// <exception cref="DirectoryNotFoundException">The input folder does not exist.</exception>
    public BatchSummary Run(string inputFolder, string outputFolder, IProgress<BatchItem>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(inputFolder))
        {
            throw new DirectoryNotFoundException($"Input folder '{inputFolder}' was not found.");
        }
        Directory.CreateDirectory(outputFolder);
        var clock = Stopwatch.StartNew();
        var items = new List<BatchItem>();
        void Report(BatchItem item)
        {
            items.Add(item);
            progress?.Report(item);
        }

        var pending = new List<string>();
        var outputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var image in ListImages(inputFolder, Shard))
        {
            var output = OutputPathFor(image, outputFolder, _format);
            if (outputs.TryGetValue(output, out var other))
            {
                Report(new BatchItem(image, output, BatchItemStatus.Failed, TimeSpan.Zero,
                    $"'{Path.GetFileName(other)}' already writes {Path.GetFileName(output)}; rename one of the two images."));
            }
            else if (File.Exists(output) || Directory.Exists(output))
            {
                Report(new BatchItem(image, output, BatchItemStatus.Skipped, TimeSpan.Zero));
            }
            else
            {
                pending.Add(image);
            }
            outputs.TryAdd(output, image);
        }
        var cancelled = pending.Count > 0 && !Generate(pending, outputFolder, Report, cancellationToken);
        return new BatchSummary(items, clock.Elapsed, cancelled);
    }

    /// <summary>The images of <paramref name="folder"/> (not its subfolders) in <paramref name="shard"/>, in name order.</summary>
    public static IEnumerable<string> ListImages(string folder, ImageShard shard) =>
        Directory.EnumerateFiles(folder)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.') && shard.Contains(f))
            .Order(StringComparer.Ordinal);

    /// <summary>Streams the pending images through the pipeline; false when cancelled before the end.</summary>
    private bool Generate(List<string> images, string outputFolder, Action<BatchItem> report, CancellationToken cancellationToken)
    {
        var data = _context.Data.LoadFromEnumerable(images.Select(p => new ImageInput { ImagePath = p }));
        var pipeline = _context.Transforms.LoadImages(ImageColumn, imageFolder: null, inputColumnName: PathColumn)
            .Append(_context.Transforms.GenerateVideoFme(_options));
        using var model = pipeline.Fit(data);
        var output = model.Transform(data);
        using var cursor = output.GetRowCursor([output.Schema[PathColumn], output.Schema[VideoColumn]]);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(output.Schema[PathColumn]);
        var getVideo = cursor.GetGetter<VideoFrames>(output.Schema[VideoColumn]);
        while (cursor.MoveNext())
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            ReadOnlyMemory<char> path = default;
            getPath(ref path);
            report(MakeOne(path.ToString(), outputFolder, getVideo));
        }
        return true;
    }

    private BatchItem MakeOne(string image, string outputFolder, ValueGetter<VideoFrames> getVideo)
    {
        var output = OutputPathFor(image, outputFolder, _format);
        var clock = Stopwatch.StartNew();
        try
        {
            VideoFrames video = null!;
            getVideo(ref video);
            video.Save(output, _format);
            return new BatchItem(image, output, BatchItemStatus.Done, clock.Elapsed);
        }
        catch (Exception e) when (e is VideoGenerationException or IOException or UnauthorizedAccessException)

        {
            return new BatchItem(image, output, BatchItemStatus.Failed, clock.Elapsed, e.Message);
        }
    }

    /// <summary>The one column the pipeline starts from.</summary>
    private sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
    }
}
