using System.IO.Compression;
using System.Text.Json.Nodes;
using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Rehash;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>
/// Step Rehash through <c>GenerateVideoFme</c>: applied as the pipeline applies it, and kept by <c>SaveFme</c> /
/// <c>LoadFme</c>. Three steps of 64 x 64, 2 frames, so a schedule has a rehash step and each video takes little time.
/// </summary>
[Collection(VideoTransformCollection.Name)]
public class RehashTransformTests(VideoTransformFixture shared)
{
    private readonly TestRandom _rng = new();

    private IDataView OneRow => shared.Context.Data.TakeRows(shared.Data, 1);

    private GenerateVideoFmeOptions Options(StepRehashOptions rehash) => VideoTransformFixture.Options() with
    {
        Generation = VideoTransformFixture.Small with { Steps = 3, Seed = (ulong)_rng.Next(0, int.MaxValue), StepRehash = rehash },
    };

    /// <summary>A schedule with two full steps picked from random deep changes, as a calibration would leave it.</summary>
    private RehashSchedule CalibratedLike() =>
        RehashSchedule.FromDeepChanges([_rng.Next(1, 1 << 30) / 3e8, _rng.Next(1, 1 << 30) / 7e8], fullSteps: 2);

    [Fact]
    public void Rehash_GivesThePipelinesFrames_AndNotTheFramesWithoutIt()
    {
        var options = Options(StepRehashOptions.WithInterval(2));
        using var model = VideoTransformFixture.Pipeline(shared.Context, options).Fit(OneRow);
        var actual = shared.ReadVideos(model, OneRow).Single().Video!;
        Assert.Equal([0, 2], model.LastTransformer.Pipeline.LastUnetCalls.FullSteps);
        Assert.Equal([1], model.LastTransformer.Pipeline.LastUnetCalls.ShallowSteps);
        Assert.True(actual.GetFrame(1).ToArray().Distinct().Count() > 10, $"frames are flat ({_rng})");

        // The same image and options straight through a pipeline of its own, with the same network settings.
        var image = ImageSeenBy(model, OneRow);
        using var pipeline = VideoDiffusionPipeline.LoadTiny(model.LastTransformer.PipelineOptions);
        VideoTransformFixture.AssertSameFrames(pipeline.Generate(image, options.Generation), actual, $"from the pipeline's ({_rng})");
        Assert.Equal([1], pipeline.LastUnetCalls.ShallowSteps);
        var plain = pipeline.Generate(image, options.Generation with { StepRehash = null });
        Assert.False(SameFrames(plain, actual), $"the frames with Step Rehash equal those without: was it applied? ({_rng})");
    }

    [Theory]
    [InlineData("interval")]
    [InlineData("schedule")]
    public void SaveFme_LoadFme_KeepStepRehash_AndGiveTheSameFrames(string form)
    {
        var rehash = form == "interval"
            ? StepRehashOptions.WithInterval(_rng.Next(2, 4)) with { Depth = _rng.Next(1, 3) }
            : StepRehashOptions.WithSchedule(CalibratedLike()) with { Depth = _rng.Next(1, 5) };
        var options = Options(rehash);
        using var folder = new TempFolder();
        var path = folder.File("rehash.fme.zip");
        using var model = VideoTransformFixture.Pipeline(shared.Context, options).Fit(OneRow);
        var before = shared.ReadVideos(model, OneRow).Single().Video!;
        shared.Context.Model.SaveFme(model, OneRow.Schema, path);

        using var loaded = shared.Context.Model.LoadFme(path, out _);
        var video = Assert.Single(loaded.OfType<GenerateVideoFmeTransformer>());
        Assert.Equal(options, video.Options);
        var reloaded = video.Options.Generation.StepRehash!;
        Assert.Equal(rehash.FullStepInterval, reloaded.FullStepInterval);
        Assert.Equal(rehash.Depth, reloaded.Depth);
        Assert.Equal(rehash.Schedule?.FullSteps, reloaded.Schedule?.FullSteps);
        Assert.Equal(rehash.Schedule?.DeepChanges, reloaded.Schedule?.DeepChanges);

        var after = shared.ReadVideos(loaded, OneRow).Single().Video!;
        VideoTransformFixture.AssertSameFrames(before, after, $"after loading ({rehash}, {_rng})");
        Assert.Equal(rehash.ScheduleFor(3).FullSteps, video.Pipeline.LastUnetCalls.FullSteps);
    }

    [Theory]
    [InlineData("step 0 not full", "Step 0 must be full")]
    [InlineData("steps of another generation", "for 4 steps but the generation has 3")]
    [InlineData("not a schedule", "expected a rehash schedule")]
    [InlineData("interval and schedule", "not both")]
    [InlineData("neither", "fullStepInterval or schedule")]
    [InlineData("interval 0", "fullStepInterval is 0")]
    [InlineData("depth 0", "depth is 0")]
    [InlineData("depth not a number", "depth")]
    [InlineData("unknown property", "\"fullSteps\"")]
    public void LoadFme_RefusesABadRehashEntry_NamingTheFileAndTheFault(string fault, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("bad-rehash.fme.zip");
        using (var model = VideoTransformFixture.Pipeline(shared.Context, Options(StepRehashOptions.WithSchedule(CalibratedLike()))).Fit(OneRow))
        {
            shared.Context.Model.SaveFme(model, OneRow.Schema, path);
        }
        EditRehashEntry(path, entry =>
        {
            var schedule = entry["schedule"]!;
            switch (fault)
            {
                case "step 0 not full": schedule["full_steps"] = new JsonArray(1, 2); break;
                case "steps of another generation": schedule["steps"] = 4; schedule["full_steps"] = new JsonArray(0, 2); schedule.AsObject().Remove("deep_changes"); break;
                case "not a schedule": schedule["format"] = "fme-plan"; break;
                case "interval and schedule": entry["fullStepInterval"] = 2; break;
                case "neither": entry.AsObject().Remove("schedule"); break;
                case "interval 0": entry.AsObject().Remove("schedule"); entry["fullStepInterval"] = 0; break;
                case "depth 0": entry["depth"] = 0; break;
                case "depth not a number": entry["depth"] = "deep"; break;
                case "unknown property": entry["fullSteps"] = new JsonArray(0); break;
                default: throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
            }
        });

        var error = Assert.Throws<InvalidDataException>(() => shared.Context.Model.LoadFme(path, out _));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Fit_RefusesAScheduleForAnotherStepCount_BeforeAnyRow()
    {
        var options = Options(StepRehashOptions.WithSchedule(RehashSchedule.Interval(5, 2)));
        var error = Assert.Throws<ArgumentException>(() => VideoTransformFixture.Pipeline(shared.Context, options).Fit(OneRow));
        Assert.Contains("for 5 steps but the generation has 3", error.Message);
    }

    /// <summary>The image the video transform of <paramref name="model"/> reads: the output of the transforms before it.</summary>
    private static RgbImage ImageSeenBy(TransformerChain<GenerateVideoFmeTransformer> model, IDataView data)
    {
        var before = new TransformerChain<ITransformer>(model.Where(t => t is not GenerateVideoFmeTransformer).ToArray());
        var view = before.Transform(data);
        var column = view.Schema["Image"];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<MLImage>(column);
        Assert.True(cursor.MoveNext());
        MLImage image = null!;
        getter(ref image);
        return RgbImage.FromMLImage(image);
    }

    private static bool SameFrames(VideoFrames a, VideoFrames b) =>
        a.FrameCount == b.FrameCount && Enumerable.Range(0, a.FrameCount).All(i => a.GetFrame(i).Span.SequenceEqual(b.GetFrame(i).Span));

    /// <summary>Rewrites the (only) video part's <c>stepRehash</c> object in a saved model's manifest.</summary>
    private static void EditRehashEntry(string path, Action<JsonNode> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("fme-model.json")!;
        JsonNode manifest;
        using (var stream = entry.Open())
        {
            manifest = JsonNode.Parse(stream)!;
        }
        var part = manifest["parts"]!.AsArray().Single(p => (string?)p!["kind"] == "generate-video-fme")!;
        edit(part["options"]!["generation"]!["stepRehash"]!);
        entry.Delete();
        using var rewritten = zip.CreateEntry("fme-model.json").Open();
        using var writer = new System.Text.Json.Utf8JsonWriter(rewritten);
        manifest.WriteTo(writer);
    }
}
