namespace Fme.MLNet.Cluster.Jobs;

/// <summary>A job and its history, as its shard keeps it (durably, in the shard's grain state).</summary>
[GenerateSerializer]
public sealed class JobRecord
{
    /// <summary>What the job is.</summary>
    [Id(0)] public JobSpec Spec { get; set; } = null!;

    /// <summary>Where it stands.</summary>
    [Id(1)] public JobStatus Status { get; set; }

    /// <summary>Leases handed out so far (a lease that expired counts: its worker may have crashed on this image).</summary>
    [Id(2)] public int Attempts { get; set; }

    /// <summary>The current lease (empty when none).</summary>
    [Id(3)] public Guid LeaseId { get; set; }

    /// <summary>When the current lease runs out.</summary>
    [Id(4)] public DateTime LeaseExpiresUtc { get; set; }

    /// <summary>The worker that holds (or last held) the job.</summary>
    [Id(5)] public string? Worker { get; set; }

    /// <summary>The last failure, for <see cref="JobStatus.Failed"/> the reason it was given up.</summary>
    [Id(6)] public string? Error { get; set; }

    /// <summary>When the first lease was handed out.</summary>
    [Id(7)] public DateTime? FirstLeasedUtc { get; set; }

    /// <summary>When it was recorded done.</summary>
    [Id(8)] public DateTime? DoneUtc { get; set; }

    /// <summary>How many workers renamed an output into place for it (exactly one unless the output existed before).</summary>
    [Id(9)] public int Commits { get; set; }

    /// <summary>The output was already there when a worker got to it (an earlier run made it), so nothing was generated.</summary>
    [Id(10)] public bool FoundExisting { get; set; }
}
