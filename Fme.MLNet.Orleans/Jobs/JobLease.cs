namespace Fme.MLNet.Cluster.Jobs;

/// <summary>A job handed to a worker until <see cref="ExpiresUtc"/>; the worker renews it while it works.</summary>
[GenerateSerializer, Immutable]
public sealed record JobLease
{
    /// <summary>The job.</summary>
    [Id(0)] public required JobSpec Job { get; init; }

    /// <summary>Names this lease in renewals and reports; a report with an older lease id is ignored.</summary>
    [Id(1)] public required Guid LeaseId { get; init; }

    /// <summary>When the lease runs out unless renewed.</summary>
    [Id(2)] public required DateTime ExpiresUtc { get; init; }

    /// <summary>Which lease of the job this is (1 for the first).</summary>
    [Id(3)] public required int Attempt { get; init; }
}

/// <summary>What a shard answers to a worker asking for work.</summary>
/// <param name="Lease">A job, or null when none is available now.</param>
/// <param name="Open">The shard still has pending or running jobs (false: nothing more will come from it).</param>
[GenerateSerializer, Immutable]
public sealed record LeaseResult([property: Id(0)] JobLease? Lease, [property: Id(1)] bool Open);
