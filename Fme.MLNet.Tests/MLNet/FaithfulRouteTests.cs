using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>The ML.NET route makes the pipeline's frames: the transform resizes the loaded image itself, and the seed
/// follows ML.NET's conventions.</summary>
[Collection(VideoTransformCollection.Name)]
public class FaithfulRouteTests(VideoTransformFixture shared)
{
    private readonly TestRandom _rng = new();

    [Fact]
    public void A_non_wide_image_gives_the_pipelines_frames_and_ResizeImages_first_does_not()
    {
        using var folder = new TempFolder();
        // 80 x 72 (10:9) into a 2:1 video: stretching, the CLIP resize and the VAE resize all take part.
        var path = VideoTransformFixture.WriteRandomPng(_rng, folder.File("square.png"), 80, 72);
        var data = shared.Context.Data.LoadFromEnumerable(new[] { new ImagePathRow { ImagePath = path } });
        var options = VideoTransformFixture.Options() with { Generation = VideoTransformFixture.Small with { Width = 128, Height = 64 } };
        using var model = VideoTransformFixture.Pipeline(shared.Context, options).Fit(data);
        var fromMLNet = shared.ReadVideos(model, data).Single().Video!;

        using var pipeline = VideoDiffusionPipeline.LoadTiny(model.LastTransformer.PipelineOptions);
        var direct = pipeline.Generate(RgbImage.FromFile(path), options.Generation);
        VideoTransformFixture.AssertSameFrames(direct, fromMLNet, $"between ML.NET and the pipeline ({_rng.Seed})");

        using var resizedFirst = shared.Context.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImagePathRow.ImagePath))
            .Append(shared.Context.Transforms.ResizeImages("Image", 128, 64))
            .Append(shared.Context.Transforms.GenerateVideoFme(options)).Fit(data);
        var other = shared.ReadVideos(resizedFirst, data).Single().Video!;
        Assert.False(Enumerable.Range(0, other.FrameCount).All(i => other.GetFrame(i).Span.SequenceEqual(direct.GetFrame(i).Span)),
            "ResizeImages before the transform gave the same frames; this test would not see a resize in the wrong place");
    }

    [Fact]
    public void Without_a_seed_the_MLContext_seed_decides_and_the_seed_is_reported()
    {
        var seed = _rng.Next(0, 100000);
        var options = VideoTransformFixture.Options() with { Generation = VideoTransformFixture.Small with { Seed = null } };
        var one = new MLContext(seed);
        var two = new MLContext(seed);
        using var first = VideoTransformFixture.Pipeline(one, options).Fit(shared.Data);
        using var second = VideoTransformFixture.Pipeline(two, options).Fit(shared.Data);
        using var other = VideoTransformFixture.Pipeline(new MLContext(seed + 1), options).Fit(shared.Data);
        Assert.Equal(first.LastTransformer.Seed, second.LastTransformer.Seed);
        Assert.NotEqual(first.LastTransformer.Seed, other.LastTransformer.Seed);
        Assert.Null(first.LastTransformer.Options.Generation.Seed);

        // The reported seed is the one used: the pipeline with it makes the same frames.
        var video = shared.ReadVideos(first).First().Video!;
        using var pipeline = VideoDiffusionPipeline.LoadTiny(first.LastTransformer.PipelineOptions);
        var expected = pipeline.Generate(RgbImage.FromFile(shared.Paths[0]), options.Generation with { Seed = first.LastTransformer.Seed });
        VideoTransformFixture.AssertSameFrames(expected, video, "with the reported seed");

        // A given seed wins over the context's.
        using var given = VideoTransformFixture.Pipeline(one, VideoTransformFixture.Options()).Fit(shared.Data);
        Assert.Equal(VideoTransformFixture.Small.Seed, given.LastTransformer.Seed);
    }
}
