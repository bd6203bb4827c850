using Fme.MLNet.Cluster.Jobs;

namespace Fme.MLNet.Cluster.Grains;

/// <summary>A batch (key: its id): its spec, and progress and cancellation over all its shards.</summary>
public interface IBatchGrain : IGrainWithStringKey
{
    /// <summary>Records (or, on resubmission, refreshes) the batch's spec.</summary>
    Task Register(BatchSpec spec);

    /// <summary>The spec, or null for a batch never submitted.</summary>
    Task<BatchSpec?> GetSpec();

    /// <summary>Whether the batch was cancelled.</summary>
    Task<bool> IsCancelled();

    /// <summary>Counts over every shard, rate, time left and up to <paramref name="maxFailures"/> failures.</summary>
    Task<BatchProgress> GetProgress(int maxFailures = 100);

    /// <summary>Up to <paramref name="max"/> finished jobs over every shard.</summary>
    Task<IReadOnlyList<FinishedJob>> GetFinished(int max = 1000);

    /// <summary>Cancels the batch: pending jobs are dropped, running ones are stopped at their next lease renewal.</summary>
    Task Cancel();
}

/// <summary>The list of batches workers look for work in (one grain, key 0; it holds batch ids only).</summary>
public interface IBatchDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds a batch (no-op when listed).</summary>
    Task Add(string batchId);

    /// <summary>Every batch submitted, in submission order.</summary>
    Task<IReadOnlyList<string>> GetBatches();
}
