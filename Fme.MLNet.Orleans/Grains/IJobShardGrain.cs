using Fme.MLNet.Cluster.Jobs;

namespace Fme.MLNet.Cluster.Grains;

/// <summary>
/// One slice of a batch's jobs (key <c>{batchId}/{index}</c>), so that no grain holds a whole dataset. It hands jobs out
/// with leases, takes them back when a lease expires, and records outcomes durably.
/// </summary>
public interface IJobShardGrain : IGrainWithStringKey
{
    /// <summary>Adds jobs; ones it already holds keep their state (a resubmitted batch skips what is done). Returns how many were new.</summary>
    Task<int> AddJobs(BatchSpec batch, IReadOnlyList<JobSpec> jobs);

    /// <summary>Leases the next pending job (or one whose lease expired) to <paramref name="worker"/>.</summary>
    Task<LeaseResult> Lease(string worker);

    /// <summary>Extends a lease; false when the lease is no longer the job's (expired and handed on, or the batch was cancelled).</summary>
    Task<bool> Renew(string jobId, Guid leaseId);

    /// <summary>Records the job done; <paramref name="committed"/>: this worker renamed the output into place.</summary>
    Task Complete(string jobId, Guid leaseId, bool committed, bool foundExisting);

    /// <summary>Records a failed attempt; the job goes back to pending unless it is out of attempts or not <paramref name="retryable"/>.</summary>
    Task Fail(string jobId, Guid leaseId, string error, bool retryable);

    /// <summary>Gives a job back without counting the attempt (its worker is shutting down).</summary>
    Task Release(string jobId, Guid leaseId);

    /// <summary>The shard's counts and up to <paramref name="maxFailures"/> failures.</summary>
    Task<BatchProgress> GetProgress(int maxFailures);

    /// <summary>Up to <paramref name="max"/> finished jobs, the latest first.</summary>
    Task<IReadOnlyList<FinishedJob>> GetFinished(int max);

    /// <summary>Marks every job not done as cancelled; running leases are refused at their next renewal.</summary>
    Task Cancel();
}
