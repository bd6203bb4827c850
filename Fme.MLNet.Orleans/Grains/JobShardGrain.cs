using Fme.MLNet.Cluster.Jobs;
using Microsoft.Extensions.Logging;

namespace Fme.MLNet.Cluster.Grains;

/// <summary>
/// Holds one shard's jobs. Every change is written to grain storage before the call returns, so a lease, a completion
/// or a failure survives the silo that holds the grain; expired leases are found when a worker next asks for work.
/// </summary>
public sealed class JobShardGrain(
    [PersistentState("shard", StorageNames.Jobs)] IPersistentState<ShardState> state,
    ILogger<JobShardGrain> logger) : Grain, IJobShardGrain
{
    private ShardState State => state.State;

    /// <inheritdoc />
    public async Task<int> AddJobs(BatchSpec batch, IReadOnlyList<JobSpec> jobs)
    {
        State.Batch = batch;
        var added = 0;
        foreach (var job in jobs)
        {
            if (State.Jobs.TryGetValue(job.JobId, out var known) && known.Spec.Key == job.Key)
            {
                // Resubmitted: a job given up or cancelled earlier gets a fresh start, the rest keep their state.
                if (known.Status is JobStatus.Failed or JobStatus.Cancelled)
                {
                    known.Status = JobStatus.Pending;
                    known.Attempts = 0;
                    known.Error = null;
                }
                continue;
            }
            State.Jobs[job.JobId] = new JobRecord { Spec = job };
            added++;
        }
        State.Cancelled = false;
        await state.WriteStateAsync();
        return added;
    }

    /// <inheritdoc />
    public async Task<LeaseResult> Lease(string worker)
    {
        if (State.Batch is not { } batch || State.Cancelled)
        {
            return new LeaseResult(null, false);
        }
        var now = DateTime.UtcNow;
        var changed = false;
        JobRecord? chosen = null;
        foreach (var job in State.Jobs.Values)
        {
            if (job.Status == JobStatus.Running && job.LeaseExpiresUtc <= now)
            {
                changed = true;
                logger.LogWarning("Lease of {Job} held by {Worker} expired (attempt {Attempt} of {Max})",
                    job.Spec.JobId, job.Worker, job.Attempts, batch.MaxAttempts);
                if (job.Attempts >= batch.MaxAttempts)
                {
                    job.Status = JobStatus.Failed;
                    job.Error = $"its lease expired on all {job.Attempts} attempts (the worker or its machine was lost each time); last: {job.Worker}";
                    continue;
                }
                job.Status = JobStatus.Pending;
            }
            if (job.Status == JobStatus.Pending && chosen is null)
            {
                chosen = job;
            }
        }
        if (chosen is null)
        {
            if (changed)
            {
                await state.WriteStateAsync();
            }
            return new LeaseResult(null, State.Jobs.Values.Any(j => j.Status is JobStatus.Pending or JobStatus.Running));
        }
        chosen.Status = JobStatus.Running;
        chosen.Attempts++;
        chosen.LeaseId = Guid.NewGuid();
        chosen.LeaseExpiresUtc = now + batch.LeaseDuration;
        chosen.Worker = worker;
        chosen.FirstLeasedUtc ??= now;
        await state.WriteStateAsync();
        return new LeaseResult(new JobLease
        {
            Job = chosen.Spec, LeaseId = chosen.LeaseId, ExpiresUtc = chosen.LeaseExpiresUtc, Attempt = chosen.Attempts,
        }, true);
    }

    /// <inheritdoc />
    public async Task<bool> Renew(string jobId, Guid leaseId)
    {
        if (State.Cancelled || !Holds(jobId, leaseId, out var job))
        {
            return false;
        }
        job.LeaseExpiresUtc = DateTime.UtcNow + State.Batch!.LeaseDuration;
        await state.WriteStateAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task Complete(string jobId, Guid leaseId, bool committed, bool foundExisting)
    {
        if (!State.Jobs.TryGetValue(jobId, out var job))
        {
            return;
        }
        if (committed)
        {
            job.Commits++;
        }
        // A late report from an expired lease still counts: its output is in place, and it is the same bytes any later
        // attempt would write. Only the first report moves the job to done.
        if (job.Status != JobStatus.Done)
        {
            job.Status = JobStatus.Done;
            job.DoneUtc = DateTime.UtcNow;
            job.FoundExisting = foundExisting && job.Commits == 0;
            job.Error = null;
            if (job.LeaseId != leaseId)
            {
                logger.LogInformation("{Job} completed under an older lease", jobId);
            }
        }
        job.LeaseId = Guid.Empty;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task Fail(string jobId, Guid leaseId, string error, bool retryable)
    {
        if (!Holds(jobId, leaseId, out var job))
        {
            return;
        }
        job.Error = error;
        job.LeaseId = Guid.Empty;
        var giveUp = !retryable || job.Attempts >= State.Batch!.MaxAttempts;
        job.Status = giveUp ? JobStatus.Failed : JobStatus.Pending;
        logger.Log(giveUp ? LogLevel.Error : LogLevel.Warning, "{Job} failed on attempt {Attempt}{GivenUp}: {Error}",
            jobId, job.Attempts, giveUp ? " (given up)" : "", error);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task Release(string jobId, Guid leaseId)
    {
        if (!Holds(jobId, leaseId, out var job))
        {
            return;
        }
        job.Status = JobStatus.Pending;
        job.Attempts--;
        job.LeaseId = Guid.Empty;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public Task<BatchProgress> GetProgress(int maxFailures)
    {
        var now = DateTime.UtcNow;
        var jobs = State.Jobs.Values;
        bool Live(JobRecord j) => j.Status == JobStatus.Running && j.LeaseExpiresUtc > now;
        return Task.FromResult(new BatchProgress
        {
            BatchId = State.Batch?.BatchId ?? "",
            Done = jobs.Count(j => j.Status == JobStatus.Done),
            Running = jobs.Count(Live),
            Failed = jobs.Count(j => j.Status == JobStatus.Failed),
            Pending = jobs.Count(j => j.Status == JobStatus.Pending || (j.Status == JobStatus.Running && !Live(j))),
            Cancelled = jobs.Count(j => j.Status == JobStatus.Cancelled),
            FoundExisting = jobs.Count(j => j.Status == JobStatus.Done && j.FoundExisting),
            FirstLeasedUtc = jobs.Min(j => j.FirstLeasedUtc),
            LastDoneUtc = jobs.Max(j => j.DoneUtc),
            IsCancelled = State.Cancelled,
            Failures = [.. jobs.Where(j => j.Status == JobStatus.Failed).Take(maxFailures)
                .Select(j => new JobFailure(j.Spec.JobId, j.Spec.ImagePath, j.Attempts, j.Error ?? "unknown"))],
        });
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FinishedJob>> GetFinished(int max) => Task.FromResult<IReadOnlyList<FinishedJob>>(
        [.. State.Jobs.Values.Where(j => j.Status == JobStatus.Done).OrderByDescending(j => j.DoneUtc).Take(max)
            .Select(j => new FinishedJob(j.Spec.JobId, j.Spec.OutputPath, j.Commits, j.FoundExisting, j.DoneUtc!.Value))]);

    /// <inheritdoc />
    public async Task Cancel()
    {
        State.Cancelled = true;
        foreach (var job in State.Jobs.Values.Where(j => j.Status is JobStatus.Pending or JobStatus.Running))
        {
            job.Status = JobStatus.Cancelled;
            job.LeaseId = Guid.Empty;
        }
        await state.WriteStateAsync();
    }

    private bool Holds(string jobId, Guid leaseId, out JobRecord job) =>
        State.Jobs.TryGetValue(jobId, out job!) && job.Status == JobStatus.Running && job.LeaseId == leaseId;
}
