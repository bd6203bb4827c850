using System.IO.Compression;
using Fme.MLNet.MLNet;
using Fme.MLNet.Models;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>SaveFme and the model folder: a kept path that must exist at load, an embedded copy, and the seed used.</summary>
[Collection(VideoTransformCollection.Name)]
public class SaveFmeFolderTests(VideoTransformFixture shared)
{
    private static string CopyOfTinySet(TempFolder temp)
    {
        var source = TinySvd.EnsureCached().FolderPath;
        var target = temp.File("models", "tiny");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }

    [Fact]
    public void A_missing_model_folder_is_named_and_an_embedded_one_loads_without_it()
    {
        using var temp = new TempFolder();
        var folder = CopyOfTinySet(temp);
        var options = VideoTransformFixture.Options(folder);
        var context = shared.Context;
        using var model = VideoTransformFixture.Pipeline(context, options).Fit(shared.Data);
        var expected = shared.ReadVideos(model)[0].Video!;
        context.Model.SaveFme(model, shared.Data.Schema, temp.File("path.zip"));
        context.Model.SaveFme(model, shared.Data.Schema, temp.File("embedded.zip"), embedModelFolders: true);
        Assert.True(new FileInfo(temp.File("embedded.zip")).Length > new FileInfo(temp.File("path.zip")).Length + (1 << 20));
        Directory.Move(folder, folder + "-moved");

        var error = Assert.Throws<DirectoryNotFoundException>(() => context.Model.LoadFme(temp.File("path.zip"), out _));
        Assert.Contains(folder, error.Message);
        Assert.Contains("embedModelFolders", error.Message);

        using var loaded = context.Model.LoadFme(temp.File("embedded.zip"), out _);
        var video = loaded.OfType<GenerateVideoFmeTransformer>().Single();
        Assert.NotEqual(folder, video.Options.ModelFolder);
        Assert.True(Directory.Exists(video.Options.ModelFolder));
        VideoTransformFixture.AssertSameFrames(expected, shared.ReadVideos(loaded)[0].Video!, "from the embedded folder");
    }

    [Fact]
    public void Embedded_entries_that_leave_their_folder_are_refused()
    {
        using var temp = new TempFolder();
        var folder = CopyOfTinySet(temp);
        using var model = VideoTransformFixture.Pipeline(shared.Context, VideoTransformFixture.Options(folder)).Fit(shared.Data);
        var path = temp.File("model.zip");
        shared.Context.Model.SaveFme(model, shared.Data.Schema, path, embedModelFolders: true);
        var escape = $"escape-{Guid.NewGuid():N}.txt";
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using var writer = new StreamWriter(zip.CreateEntry($"model-folders/0/../../../{escape}").Open());
            writer.Write("outside");
        }
        var error = Assert.Throws<InvalidDataException>(() => shared.Context.Model.LoadFme(path, out _));
        Assert.Contains("outside the model folder", error.Message);
        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), escape)));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), escape, SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public void The_seed_drawn_from_the_context_is_saved()
    {
        using var temp = new TempFolder();
        var options = VideoTransformFixture.Options() with { Generation = VideoTransformFixture.Small with { Seed = null } };
        using var model = VideoTransformFixture.Pipeline(new MLContext(new TestRandom().Next(0, 1000)), options).Fit(shared.Data);
        shared.Context.Model.SaveFme(model, shared.Data.Schema, temp.File("model.zip"));
        using var loaded = shared.Context.Model.LoadFme(temp.File("model.zip"), out _);
        var video = loaded.OfType<GenerateVideoFmeTransformer>().Single();
        Assert.Equal(model.LastTransformer.Seed, video.Seed);
        Assert.Equal(model.LastTransformer.Seed, video.Options.Generation.Seed);
    }
}
