using Fme.MLNet.MLNet;

namespace Fme.MLNet.Cluster.Submission;

/// <summary>What to submit: images, where their videos go, and how they are made.</summary>
public sealed record BatchRequest
{
    /// <summary>The batch's images (<see cref="BatchInputs.FromFolder"/> or <see cref="BatchInputs.FromManifest"/>).</summary>
    public required IReadOnlyList<BatchInput> Inputs { get; init; }

    /// <summary>The shared output location (every worker must see the same folder).</summary>
    public required string OutputFolder { get; init; }

    /// <summary>The generation settings (Step Rehash included). A null seed gives each job a seed derived from its key.</summary>
    public required GenerateVideoFmeOptions Options { get; init; }

    /// <summary>The batch's name; null derives one from the output folder and settings, so the same submission is the same batch.</summary>
    public string? BatchId { get; init; }

    /// <summary>Shards to spread the jobs over; null takes one per 500 jobs. A resubmitted batch keeps its first count.</summary>
    public int? ShardCount { get; init; }

    /// <summary>Leases a job gets before it is recorded failed. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>How long a job stays with a worker that stopped renewing it. Default 2 minutes.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>The result of a submission.</summary>
/// <param name="BatchId">The batch.</param>
/// <param name="Jobs">Jobs in the batch.</param>
/// <param name="NewJobs">Of those, jobs the shards did not hold already (the rest keep their state: done ones are skipped).</param>
/// <param name="ShardCount">Shards holding them.</param>
public sealed record SubmitResult(string BatchId, int Jobs, int NewJobs, int ShardCount);
