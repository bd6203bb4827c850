namespace Fme.MLNet.Cluster.Jobs;

/// <summary>Where a job stands in its shard.</summary>
[GenerateSerializer]
public enum JobStatus
{
    /// <summary>Waiting for a worker (new, released, or its lease expired).</summary>
    Pending,

    /// <summary>Leased to a worker until the lease expires.</summary>
    Running,

    /// <summary>Its output is in place (made by this batch, or found there already).</summary>
    Done,

    /// <summary>Given up: a bad input, or every attempt failed; <see cref="JobRecord.Error"/> says why.</summary>
    Failed,

    /// <summary>The batch was cancelled before the job was done.</summary>
    Cancelled,
}
