using Fme.BatchScoring;
using Fme.CommandLine;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.MLNet;

/// <summary><c>--shard-index I --shard-count N</c>: N independent runs that together handle every image exactly once.</summary>
public sealed class ImageShardTests : IDisposable
{
    private readonly TempFolder _folder = new();

    /// <summary>Listing looks at names only, so empty files stand in for images.</summary>
    public ImageShardTests()
    {
        var extensions = new[] { ".png", ".jpg", ".JPEG", ".bmp", ".webp" };
        for (var i = 0; i < 60; i++)
        {
            File.WriteAllBytes(_folder.File($"image {i:000}{extensions[i % extensions.Length]}"), []);
        }
        File.WriteAllText(_folder.File("notes.txt"), "not an image");
        File.WriteAllBytes(_folder.File(".hidden.png"), []);
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void NShards_CoverTheFolder_ExactlyOnce(int count)
    {
        var all = BatchScorer.ListImages(_folder.Path, ImageShard.All).ToList();
        Assert.Equal(60, all.Count);

        var shards = Enumerable.Range(0, count).Select(i => BatchScorer.ListImages(_folder.Path, new ImageShard(i, count)).ToList()).ToList();

        Assert.Equal(all.Count, shards.Sum(s => s.Count)); // with the union below: no image in two shards
        Assert.Equal(all.Order(StringComparer.Ordinal), shards.SelectMany(s => s).Order(StringComparer.Ordinal));
        Assert.All(shards, s => Assert.NotEmpty(s));
    }

    [Fact]
    public void AnImagesShard_DependsOnItsNameOnly_NotOnTheFolderOrTheOtherImages()
    {
        using var other = new TempFolder();
        var names = BatchScorer.ListImages(_folder.Path, ImageShard.All).Select(Path.GetFileName).Take(10).ToList();
        foreach (var name in names)
        {
            File.WriteAllBytes(other.File(name!), []);
        }
        for (var i = 0; i < 3; i++)
        {
            var here = BatchScorer.ListImages(_folder.Path, new ImageShard(i, 3)).Select(Path.GetFileName).Where(names.Contains);
            var there = BatchScorer.ListImages(other.Path, new ImageShard(i, 3)).Select(Path.GetFileName);
            Assert.Equal(here, there);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(-1, 2)]
    public void AShardOutOfRange_IsRefused(int index, int count)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new ImageShard(index, count));

        using var output = new TempFolder();
        using var stderr = new StringWriter();
        var code = CommandRunner.Run(BatchCommand.Create(TextWriter.Null, stderr),
            [_folder.Path, output.Path, "--shard-index", $"{index}", "--shard-count", $"{count}"], stderr);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"found --shard-index {index} --shard-count {count}", stderr.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }
}
