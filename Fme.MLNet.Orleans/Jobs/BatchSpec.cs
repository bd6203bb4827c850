namespace Fme.MLNet.Cluster.Jobs;

/// <summary>A submitted batch: where its videos go, how they are made, and how its jobs are spread and retried.</summary>
[GenerateSerializer, Immutable]
public sealed record BatchSpec
{
    /// <summary>The batch's name (the key of its grain).</summary>
    [Id(0)] public required string BatchId { get; init; }

    /// <summary>The shared output location.</summary>
    [Id(1)] public required string OutputFolder { get; init; }

    /// <summary>The <c>GenerateVideoFmeOptions</c> as JSON (see <see cref="JobKeys.SettingsJson"/>).</summary>
    [Id(2)] public required string SettingsJson { get; init; }

    /// <summary>How many shard grains hold the jobs.</summary>
    [Id(3)] public required int ShardCount { get; init; }

    /// <summary>Leases a job gets before it is recorded failed.</summary>
    [Id(4)] public required int MaxAttempts { get; init; }

    /// <summary>How long a lease lasts without renewal: a worker that dies loses its job after this long.</summary>
    [Id(5)] public required TimeSpan LeaseDuration { get; init; }

    /// <summary>Jobs in the batch.</summary>
    [Id(6)] public required int JobCount { get; init; }

    /// <summary>When it was (last) submitted.</summary>
    [Id(7)] public DateTime SubmittedUtc { get; init; }

    /// <summary>The grain key of shard <paramref name="index"/>.</summary>
    public string ShardKey(int index) => $"{BatchId}/{index}";
}
