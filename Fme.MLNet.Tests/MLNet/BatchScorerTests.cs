using Fme.BatchScoring;
using Fme.MLNet.MLNet;
using Fme.MLNet.Tests.Support;
using Microsoft.ML;

namespace Fme.MLNet.Tests.MLNet;

[Collection(VideoTransformCollection.Name)]
public sealed class BatchScorerTests : IDisposable
{
    private readonly TestRandom _rng = new();
    private readonly TempFolder _input = new();
    private readonly TempFolder _output = new();
    private readonly string _broken;

    /// <summary>Two random images (one not square), one broken image, and a file that is no image.</summary>
    public BatchScorerTests()
    {
        VideoTransformFixture.WriteRandomPng(_rng, _input.File("a.png"), 70, 90);
        VideoTransformFixture.WriteRandomPng(_rng, _input.File("c.png"));
        _broken = _input.File("b.png");
        File.WriteAllBytes(_broken, BadRowTests.ImageBytes(_rng));
        File.WriteAllText(_input.File("notes.txt"), "not an image");
    }

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
    }

    private static BatchScorer Scorer() =>
        new(new MLContext(), VideoTransformFixture.Options() with { OutputColumnName = "ignored", InputColumnName = "ignored too" });

    [Fact]
    public void ABrokenImage_IsReported_TheOthersAreDone_AndARerunSkipsThem()
    {
        var reported = new List<BatchItem>();

        var first = Scorer().Run(_input.Path, _output.Path, new SyncProgress(reported.Add));
        Assert.Equal((2, 0, 1, false), (first.Done, first.Skipped, first.Failed, first.Cancelled));
        Assert.Equal(first.Items, reported);
        Assert.Equal(["a.png", "b.png", "c.png"], first.Items.Select(i => Path.GetFileName(i.ImagePath)));
        var failure = Assert.Single(first.Items, i => i.Status == BatchItemStatus.Failed);
        Assert.Equal(_broken, failure.ImagePath);
        Assert.Contains("row 1", failure.Error);
        Assert.True(first.TimePerVideo > TimeSpan.Zero);
        Assert.Contains("2 done, 0 skipped, 1 failed", first.ToString());
        Assert.Contains("failed: b.png:", first.ToString());
        // Only the finished GIFs: no temporary files, nothing for the broken image.
        Assert.Equal(["a.gif", "c.gif"], Directory.GetFiles(_output.Path).Select(Path.GetFileName).Order());
        foreach (var gif in Directory.GetFiles(_output.Path))
        {
            Assert.Equal("GIF89a", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(gif), 0, 6));
        }

        // A rerun resumes: finished GIFs are left as they are, the broken image is tried again.
        var written = Directory.GetFiles(_output.Path).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var second = Scorer().Run(_input.Path, _output.Path);
        Assert.Equal((0, 2, 1), (second.Done, second.Skipped, second.Failed));
        Assert.Equal([("a.png", BatchItemStatus.Skipped), ("c.png", BatchItemStatus.Skipped), ("b.png", BatchItemStatus.Failed)],
            second.Items.Select(i => (Path.GetFileName(i.ImagePath), i.Status)));
        Assert.All(written, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
    }

    [Fact]
    public void CommandLine_ReportsSkipsAndFailures_WithItsExitCode()
    {
        File.WriteAllText(Path.Combine(_output.Path, "a.gif"), "from an earlier run");
        File.WriteAllText(Path.Combine(_output.Path, "c.gif"), "from an earlier run");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = BatchCommand.Create(stdout, stderr)
            .Parse([_input.Path, _output.Path, "--width", "64", "--height", "64", "--steps", "1", "--frames", "2", "--seed", "5"])
            .Invoke();

        Assert.Equal(1, code);
        Assert.Contains("skipped  a.png (a.gif exists)", stdout.ToString());
        Assert.Contains("0 done, 2 skipped, 1 failed", stdout.ToString());
        Assert.Contains("FAILED   b.png: Could not make the video of row 0", stderr.ToString());
        Assert.Equal("from an earlier run", File.ReadAllText(Path.Combine(_output.Path, "c.gif")));
    }

    [Fact]
    public void CommandLine_Shards_HandleEveryImageInExactlyOneRun()
    {
        File.WriteAllText(Path.Combine(_output.Path, "a.gif"), "from an earlier run");
        File.WriteAllText(Path.Combine(_output.Path, "c.gif"), "from an earlier run");
        var handled = new List<string>();
        for (var index = 0; index < 2; index++)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            BatchCommand.Create(stdout, stderr)
                .Parse([_input.Path, _output.Path, "--shard-index", $"{index}", "--shard-count", "2", "--width", "64", "--height", "64", "--steps", "1", "--frames", "2"])
                .Invoke();
            handled.AddRange((stdout + "\n" + stderr).Split('\n').Where(l => l.StartsWith("skipped") || l.StartsWith("FAILED"))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':')));
        }

        Assert.Equal(["a.png", "b.png", "c.png"], handled.Order());
    }

    [Fact]
    public void AMissingInputFolder_IsNamed()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => Scorer().Run("/no/such/folder", Path.GetTempPath()));
        Assert.Contains("/no/such/folder", error.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<BatchItem> report) : IProgress<BatchItem>
    {
        public void Report(BatchItem value) => report(value);
    }
}
