using System.Globalization;
using System.Text;

namespace Fme.BatchScoring;

/// <summary>What became of one input image.</summary>
public enum BatchItemStatus
{
    /// <summary>The video was generated and written.</summary>
    Done,

    /// <summary>The output already existed (from an earlier run), so nothing was done.</summary>
    Skipped,

    /// <summary>The image could not be read or its video not made; the message says why.</summary>
    Failed,
}

/// <summary>One input image and its outcome.</summary>
/// <param name="ImagePath">The input image.</param>
/// <param name="OutputPath">The video written (or that would have been).</param>
/// <param name="Status">What happened.</param>
/// <param name="Elapsed">Time spent on it (generation and writing).</param>
/// <param name="Error">Why it failed, for <see cref="BatchItemStatus.Failed"/>.</param>
public sealed record BatchItem(string ImagePath, string OutputPath, BatchItemStatus Status, TimeSpan Elapsed, string? Error = null);

/// <summary>The outcome of a run: every input handled, the total time, and whether it was stopped early.</summary>
/// <param name="Items">One entry per input image, in the order handled: outputs found to exist while listing the folder
/// first, then the rest in name order (inputs after a stop are not listed).</param>
/// <param name="Elapsed">Wall time of the run, model loading included.</param>
/// <param name="Cancelled">The run was stopped before every image was handled.</param>
public sealed record BatchSummary(IReadOnlyList<BatchItem> Items, TimeSpan Elapsed, bool Cancelled)
{
    /// <summary>Videos generated.</summary>
    public int Done => Items.Count(i => i.Status == BatchItemStatus.Done);

    /// <summary>Outputs that already existed.</summary>
    public int Skipped => Items.Count(i => i.Status == BatchItemStatus.Skipped);

    /// <summary>Images that failed.</summary>
    public int Failed => Items.Count(i => i.Status == BatchItemStatus.Failed);

    /// <summary>Mean time per generated video (zero when none was).</summary>
    public TimeSpan TimePerVideo => Done == 0 ? TimeSpan.Zero
        : TimeSpan.FromTicks(Items.Where(i => i.Status == BatchItemStatus.Done).Sum(i => i.Elapsed.Ticks) / Done);

    /// <summary>The closing report: counts, times, then one line per failure.</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture,
            $"{(Cancelled ? "Stopped early: " : "")}{Done} done, {Skipped} skipped, {Failed} failed in {Elapsed.TotalSeconds:0.0} s");
        s.AppendLine(Done > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({TimePerVideo.TotalSeconds:0.00} s per video).") : ".");
        foreach (var failure in Items.Where(i => i.Status == BatchItemStatus.Failed))
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"  failed: {Path.GetFileName(failure.ImagePath)}: {failure.Error}");
        }
        return s.ToString();
    }
}
