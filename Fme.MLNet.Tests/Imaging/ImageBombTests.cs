using System.Globalization;
using System.Text.RegularExpressions;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>
/// Files that are small but decode to gigabytes are read in a fresh process (<see cref="ChildProgram"/>), whose peak
/// resident memory must stay below a bound; without the decoder limits these reached 4 GB and more.
/// </summary>
public partial class ImageBombTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void AnimatedGifOnAHugeCanvas_DecodesOnlyTheFirstFrame()
    {
        using var dir = new TempFolder();
        var path = dir.File("bomb.gif");
        File.WriteAllBytes(path, ImageBombs.AnimatedGif(4000, 400));
        Assert.True(new FileInfo(path).Length < 10_000);

        var (peak, outcome) = Read(path);

        // The first frame alone: a 4000 x 4000 RGB canvas (48 MB), its copy, and the runtime.
        Assert.Equal("read 4000 x 4000 first pixel 255 0 0", outcome);
        Assert.True(peak < 400 * MiB, $"peak resident {peak / MiB} MiB reading {path}");
    }

    [Fact]
    public void PngWithATextChunkThatInflatesToAGibibyte_IgnoresTheText()
    {
        using var dir = new TempFolder();
        var path = dir.File("text-bomb.png");
        File.WriteAllBytes(path, ImageBombs.PngWithHugeText(1L << 30));
        Assert.True(new FileInfo(path).Length < 2 * MiB);

        var (peak, outcome) = Read(path);

        Assert.Equal("read 64 x 64 first pixel 128 128 128", outcome);
        Assert.True(peak < 300 * MiB, $"peak resident {peak / MiB} MiB reading {path}");
    }

    [Fact]
    public void PngInsideTheDefaultLimit_ReadAndPreprocessedForClip_StaysNearTheDocumentedPeak()
    {
        using var dir = new TempFolder();
        var path = dir.File("large.png");
        File.WriteAllBytes(path, ImageBombs.LargeUniformPng(7900));

        var (peak, outcome) = Read(path, "clip");

        // ImageSizeLimit.DefaultMaxPixels documents about 1.75 GB for this (3 + 2 x 12 bytes a pixel); three float
        // copies, as before, peaked at 2.7 GB.
        Assert.Equal("read 7900 x 7900 first pixel 200 50 50", outcome);
        Assert.True(peak < 2100 * MiB, $"peak resident {peak / MiB} MiB reading and preprocessing {path}");
    }

    private static (long Peak, string Outcome) Read(string path, params string[] then)
    {
        var output = ChildProcess.Run(TimeSpan.FromMinutes(2), ["read-image", path, .. then]);
        var peak = PeakLine().Match(output);
        Assert.True(peak.Success, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (long.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture), lines.Single(l => l.StartsWith("read ", StringComparison.Ordinal) || l.StartsWith("refused ", StringComparison.Ordinal)));
    }

    [GeneratedRegex(@"peak resident (\d+)")]
    private static partial Regex PeakLine();
}
