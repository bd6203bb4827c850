using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>Rows read from and written to the test data: an image path in, a video out.</summary>
public sealed class ImagePathRow
{
    public string ImagePath { get; set; } = "";
}

public sealed class VideoRow
{
    public string ImagePath { get; set; } = "";

    [VideoType]
    public VideoFrames? Video { get; set; }
}

/// <summary>
/// Random PNG files and one fitted chain (LoadImages -> GenerateVideoFme) over the built-in tiny model
/// set, shared by the tests of the collection: sessions are created once. Small and fast settings: 64 x 64, 2 frames,
/// 1 step, no guidance, unsliced networks (the pipeline's own tests cover the cuts).
/// </summary>
public sealed class VideoTransformFixture : IDisposable
{
    public static readonly GenerationOptions Small = new()
    {
        Width = 64, Height = 64, NumFrames = 2, Steps = 1, MaxGuidanceScale = 1, Fps = 5, Seed = 21,
    };

    private readonly TempFolder _folder = new();

    public VideoTransformFixture()
    {
        Random = new TestRandom();
        Paths = Enumerable.Range(0, 3).Select(i => WriteRandomPng(Random, _folder.File($"image{i}.png"))).ToArray();
        Context = new MLContext(seed: 1);
        Data = Context.Data.LoadFromEnumerable(Paths.Select(p => new ImagePathRow { ImagePath = p }));
        Model = Pipeline(Context, Options()).Fit(Data);
    }

    public TestRandom Random { get; }

    public MLContext Context { get; }

    public IReadOnlyList<string> Paths { get; }

    public IDataView Data { get; }

    public TransformerChain<GenerateVideoFmeTransformer> Model { get; }

    public GenerateVideoFmeTransformer Video => Model.LastTransformer;

    public string Folder => _folder.Path;

    /// <summary>The options the shared chain uses, with a model folder if given (else the built-in tiny set).</summary>
    public static GenerateVideoFmeOptions Options(string? modelFolder = null) => new("Video", "Image")
    {
        ModelFolder = modelFolder,
        Generation = Small,
        Unet = StreamlineOptions.Unsliced,
        Decoder = StreamlineOptions.Unsliced,
    };

    /// <summary>LoadImages -> GenerateVideoFme, which resizes the loaded image itself as the pipeline does.</summary>
    public static EstimatorChain<GenerateVideoFmeTransformer> Pipeline(MLContext context, GenerateVideoFmeOptions options) =>
        context.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImagePathRow.ImagePath))
            .Append(context.Transforms.GenerateVideoFme(options));

    /// <summary>Every row's video, read into <see cref="VideoRow"/> objects.</summary>
    public List<VideoRow> ReadVideos(ITransformer model, IDataView? data = null) =>
        Context.Data.CreateEnumerable<VideoRow>(model.Transform(data ?? Data), reuseRowObject: false).ToList();

    /// <summary>Calls <paramref name="row"/> with the video getter of each row of <paramref name="output"/>, in order.</summary>
    public static void ForEachRow(IDataView output, Action<ValueGetter<VideoFrames>> row)
    {
        var column = output.Schema["Video"];
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<VideoFrames>(column);
        while (cursor.MoveNext())
        {
            row(getter);
        }
    }

    public static VideoFrames Read(ValueGetter<VideoFrames> getter)
    {
        VideoFrames video = null!;
        getter(ref video);
        return video;
    }

    public static void AssertSameFrames(VideoFrames expected, VideoFrames actual, string what)
    {
        Assert.Equal(expected.FrameCount, actual.FrameCount);
        for (var i = 0; i < expected.FrameCount; i++)
        {
            Assert.True(expected.GetFrame(i).Span.SequenceEqual(actual.GetFrame(i).Span), $"frame {i} differs {what}");
        }
    }

    public static string WriteRandomPng(TestRandom rng, string path, int width = 80, int height = 72)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)rng.Next(0, 256);
        }
        using var image = RgbImage.FromRgb24(pixels, width, height).ToImageSharp();
        using var file = File.Create(path);
        SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, file);
        return path;
    }

    public void Dispose()
    {
        Model.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class VideoTransformCollection : ICollectionFixture<VideoTransformFixture>
{
    public const string Name = "GenerateVideoFme over the tiny model set";
}
