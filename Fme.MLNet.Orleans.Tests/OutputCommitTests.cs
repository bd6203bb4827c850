using Fme.MLNet.Cluster.Workers;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>Outputs put in place once, on real files: a killed attempt's temporary file and a racing attempt.</summary>
public sealed class OutputCommitTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AKilledAttemptsTemporaryFile_IsRemovedWhenAnotherAttemptCommits()
    {
        var folder = Directory.CreateDirectory(_temp.Sub("out")).FullName;
        var target = Path.Combine(folder, "img.0123.gif");
        File.WriteAllBytes(Path.Combine(folder, ".img.0123.gif.killed.tmp"), [1, 2]); // what SIGKILL mid-write leaves
        File.WriteAllBytes(Path.Combine(folder, ".other.gif.x.tmp"), [3]); // another job's, still being written

        Assert.True(OutputCommit.Write(target, "second", s => s.Write([7, 8, 9])));

        Assert.Equal([7, 8, 9], File.ReadAllBytes(target));
        Assert.Equal([".other.gif.x.tmp", "img.0123.gif"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void OfTwoRacingAttempts_OneCommits_TheOtherKeepsItsBytesOut()
    {
        var folder = _temp.Sub("race");
        var target = Path.Combine(folder, "v.gif");
        var inner = false;

        var outer = OutputCommit.Write(target, "slow", s =>
        {
            s.Write([1, 1, 1]);
            inner = OutputCommit.Write(target, "fast", t => t.Write([2, 2])); // commits while the slow one is writing
        });

        Assert.Equal((false, true), (outer, inner));
        Assert.Equal([2, 2], File.ReadAllBytes(target));
        Assert.Equal(["v.gif"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }
}
