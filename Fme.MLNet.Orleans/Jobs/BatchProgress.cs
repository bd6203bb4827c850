using System.Globalization;
using System.Text;

namespace Fme.MLNet.Cluster.Jobs;

/// <summary>One failed job: which image and why.</summary>
[GenerateSerializer, Immutable]
public sealed record JobFailure([property: Id(0)] string JobId, [property: Id(1)] string ImagePath,
    [property: Id(2)] int Attempts, [property: Id(3)] string Error);

/// <summary>One finished job, for the status page and the tests.</summary>
[GenerateSerializer, Immutable]
public sealed record FinishedJob([property: Id(0)] string JobId, [property: Id(1)] string OutputPath,
    [property: Id(2)] int Commits, [property: Id(3)] bool FoundExisting, [property: Id(4)] DateTime DoneUtc);

/// <summary>Counts of one shard, or of a whole batch when added up.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchProgress
{
    /// <summary>The batch.</summary>
    [Id(0)] public string BatchId { get; init; } = "";

    /// <summary>Jobs whose output is in place.</summary>
    [Id(1)] public int Done { get; init; }

    /// <summary>Jobs leased to a worker now.</summary>
    [Id(2)] public int Running { get; init; }

    /// <summary>Jobs given up.</summary>
    [Id(3)] public int Failed { get; init; }

    /// <summary>Jobs waiting for a worker.</summary>
    [Id(4)] public int Pending { get; init; }

    /// <summary>Jobs stopped by cancellation.</summary>
    [Id(5)] public int Cancelled { get; init; }

    /// <summary>Of <see cref="Done"/>, those whose output already existed (nothing was generated for them).</summary>
    [Id(6)] public int FoundExisting { get; init; }

    /// <summary>The first lease handed out, if any.</summary>
    [Id(7)] public DateTime? FirstLeasedUtc { get; init; }

    /// <summary>The last job recorded done, if any.</summary>
    [Id(8)] public DateTime? LastDoneUtc { get; init; }

    /// <summary>The batch was cancelled.</summary>
    [Id(9)] public bool IsCancelled { get; init; }

    /// <summary>Failures (at most the number asked for).</summary>
    [Id(10)] public IReadOnlyList<JobFailure> Failures { get; init; } = [];

    /// <summary>All jobs.</summary>
    public int Total => Done + Running + Failed + Pending + Cancelled;

    /// <summary>Nothing is pending or running.</summary>
    public bool IsFinished => Pending == 0 && Running == 0;

    /// <summary>Videos generated per minute, from the first lease to the last completion (null before two points exist).</summary>
    public double? VideosPerMinute
    {
        get
        {
            var made = Done - FoundExisting;
            if (made <= 0 || FirstLeasedUtc is null || LastDoneUtc is null || LastDoneUtc <= FirstLeasedUtc)
            {
                return null;
            }
            return made / (LastDoneUtc.Value - FirstLeasedUtc.Value).TotalMinutes;
        }
    }

    /// <summary>Time left at <see cref="VideosPerMinute"/> for the pending and running jobs (null when unknown).</summary>
    public TimeSpan? EstimatedTimeLeft => IsFinished ? TimeSpan.Zero
        : VideosPerMinute is { } rate ? TimeSpan.FromMinutes((Pending + Running) / rate) : null;

    /// <summary>Adds two shards' counts (failures concatenated up to <paramref name="maxFailures"/>).</summary>
    public BatchProgress Add(BatchProgress other, int maxFailures) => this with
    {
        Done = Done + other.Done,
        Running = Running + other.Running,
        Failed = Failed + other.Failed,
        Pending = Pending + other.Pending,
        Cancelled = Cancelled + other.Cancelled,
        FoundExisting = FoundExisting + other.FoundExisting,
        FirstLeasedUtc = Min(FirstLeasedUtc, other.FirstLeasedUtc),
        LastDoneUtc = Max(LastDoneUtc, other.LastDoneUtc),
        IsCancelled = IsCancelled || other.IsCancelled,
        Failures = [.. Failures.Concat(other.Failures).Take(maxFailures)],
    };

    /// <summary>The progress report: counts, rate and time left, then one line per failure.</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        var rate = VideosPerMinute is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";
        var eta = EstimatedTimeLeft is { } t ? t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-";
        s.Append(CultureInfo.InvariantCulture,
            $"batch {BatchId}{(IsCancelled ? " (cancelled)" : "")}: {Done} done ({FoundExisting} found existing), {Running} running, ");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"{Failed} failed, {Pending} pending, {Cancelled} cancelled of {Total}; {rate} videos/min; time left {eta}");
        foreach (var f in Failures)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"  failed: {f.JobId} after {f.Attempts} attempt(s): {f.Error}");
        }
        return s.ToString();
    }

    private static DateTime? Min(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
