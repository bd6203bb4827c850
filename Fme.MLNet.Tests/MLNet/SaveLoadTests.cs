using Fme.MLNet.MLNet;
using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Streamlining;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public class SaveLoadTests(VideoTransformFixture shared)
{
    private readonly TestRandom _rng = new();

    [Fact]
    public void ModelSave_FailsClearly_PointingToSaveFme()
    {
        using var folder = new TempFolder();
        var error = Assert.ThrowsAny<Exception>(() => shared.Context.Model.Save(shared.Model, shared.Data.Schema, folder.File("model.zip")));
        var notSupported = error as NotSupportedException ?? error.InnerException as NotSupportedException;
        Assert.True(notSupported is not null, $"expected NotSupportedException, got {error}");
        Assert.Contains("mlContext.Model.SaveFme", notSupported.Message);
        Assert.Contains("'Video'", notSupported.Message);
    }

    [Fact]
    public void SaveFme_LoadFme_KeepOptionsAndSchema_AndGiveTheSameVideos()
    {
        using var folder = new TempFolder();
        var path = folder.File("model.fme.zip");
        shared.Context.Model.SaveFme(shared.Model, shared.Data.Schema, path);

        using var loaded = shared.Context.Model.LoadFme(path, out var schema);
        Assert.NotNull(schema);
        Assert.Equal(TextDataViewType.Instance, schema["ImagePath"].Type);
        var video = Assert.Single(Flatten(loaded).OfType<GenerateVideoFmeTransformer>());
        Assert.Equal(shared.Video.Options, video.Options);

        VideoTransformFixture.AssertSameFrames(shared.ReadVideos(shared.Model)[0].Video!, shared.ReadVideos(loaded)[0].Video!, "after loading");
    }

    [Fact]
    public void SaveFme_KeepsEveryOption_AndThePartOrder()
    {
        using var folder = new TempFolder();
        var options = new GenerateVideoFmeOptions("Clip", "Image")
        {
            ModelFolder = TinySvd.EnsureCached().FolderPath,
            Generation = VideoTransformFixture.Small with { Steps = _rng.Next(1, 30), Seed = (ulong)_rng.Next(0, 99999), MotionBucketId = _rng.Next(0, 255) },
            Unet = new StreamlineOptions { FrameChunks = _rng.Next(1, 8), MemoryBudgetBytes = 1L << _rng.Next(20, 40), AllowApproximateCuts = true },
            Decoder = new StreamlineOptions
            {
                PixelChunks = _rng.Next(1, 8),
                InputAxes = new Dictionary<string, AxisLabel[]> { ["latent_sample"] = [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width] },
            },
            FallbackToCpu = true,
            IntraOpNumThreads = 1,
            ShrinkArenas = _rng.Next(0, 2) == 0,
            AllowTf32 = true,
        };
        var context = new MLContext();
        // Video first, then ML.NET transforms: the saved file must keep both kinds, in order.
        var images = context.Transforms.LoadImages("Image", null, nameof(ImagePathRow.ImagePath)).Fit(shared.Data);
        var withImages = images.Transform(shared.Data);
        using var video = context.Transforms.GenerateVideoFme(options).Fit(withImages);
        var model = new TransformerChain<ITransformer>(images, video, context.Transforms.CopyColumns("Path2", "ImagePath").Fit(video.Transform(withImages)));
        context.Model.SaveFme(model, shared.Data.Schema, folder.File("model.zip"));

        using var loaded = context.Model.LoadFme(folder.File("model.zip"), out _);
        var parts = Flatten(loaded).ToList();
        Assert.Equal(3, parts.Count);
        var reloaded = Assert.IsType<GenerateVideoFmeTransformer>(parts[1]);
        Assert.Equal(options with { Decoder = options.Decoder with { InputAxes = null } }, reloaded.Options with { Decoder = reloaded.Options.Decoder with { InputAxes = null } });
        Assert.Equal(options.Decoder.InputAxes!["latent_sample"], reloaded.Options.Decoder.InputAxes!["latent_sample"]);
        Assert.Equal(["ImagePath", "Image", "Clip", "Path2"], loaded.GetOutputSchema(shared.Data.Schema).Select(c => c.Name));
    }

    [Fact]
    public void LoadFme_RejectsOtherFiles_NamingThem()
    {
        using var folder = new TempFolder();
        var text = folder.File("not-a-model.zip");
        File.WriteAllText(text, "hello");
        var error = Assert.Throws<InvalidDataException>(() => shared.Context.Model.LoadFme(text, out _));
        Assert.Contains(text, error.Message);

        var plain = folder.File("plain.zip");
        shared.Context.Model.Save(shared.Context.Transforms.CopyColumns("A", "ImagePath").Fit(shared.Data), shared.Data.Schema, plain);
        error = Assert.Throws<InvalidDataException>(() => shared.Context.Model.LoadFme(plain, out _));
        Assert.Contains("mlContext.Model.Load", error.Message);
        Assert.Throws<FileNotFoundException>(() => shared.Context.Model.LoadFme(folder.File("missing.zip"), out _));
    }

    [Theory]
    [InlineData("not a zip")]
    [InlineData("zip with a junk entry")]
    public void LoadFme_DamagedMLNetEntry_NamesTheFileAndTheEntry(string damage)
    {
        using var folder = new TempFolder();
        var path = folder.File("damaged.fme.zip");
        shared.Context.Model.SaveFme(shared.Model, shared.Data.Schema, path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            zip.GetEntry("mlnet-0.zip")!.Delete();
            using var entry = zip.CreateEntry("mlnet-0.zip").Open();
            entry.Write(damage == "not a zip" ? _rng.Bytes(300) : JunkModelZip());
        }
        var error = Assert.Throws<InvalidDataException>(() => shared.Context.Model.LoadFme(path, out _));
        Assert.Contains($"Model file '{path}' cannot be loaded: its entry 'mlnet-0.zip' is not an ML.NET model", error.Message);
        Assert.NotNull(error.InnerException);
    }

    // A zip laid out like an ML.NET model whose entries hold random bytes.
    private byte[] JunkModelZip()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in new[] { "TransformerChain/Model.key", "TransformerChain/Transform_000/Model.key", "Schema/Model.key" })
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(_rng.Bytes(200));
            }
        }
        return stream.ToArray();
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
}
