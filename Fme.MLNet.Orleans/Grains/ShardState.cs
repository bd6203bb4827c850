using Fme.MLNet.Cluster.Jobs;

namespace Fme.MLNet.Cluster.Grains;

/// <summary>What a shard grain keeps durably: its batch's spec and its jobs by id.</summary>
[GenerateSerializer]
public sealed class ShardState
{
    /// <summary>The batch (null until jobs are added).</summary>
    [Id(0)] public BatchSpec? Batch { get; set; }

    /// <summary>The jobs, by <see cref="JobSpec.JobId"/>, in the order they were added.</summary>
    [Id(1)] public Dictionary<string, JobRecord> Jobs { get; set; } = [];

    /// <summary>The batch was cancelled.</summary>
    [Id(2)] public bool Cancelled { get; set; }
}
