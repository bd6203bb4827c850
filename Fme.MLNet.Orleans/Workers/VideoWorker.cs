using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Jobs;
using Microsoft.Extensions.Logging;

namespace Fme.MLNet.Cluster.Workers;

/// <summary>
/// One worker (one GPU, or a share of the CPU): it looks through the listed batches for a shard with work, leases a job,
/// renews the lease while it runs, and reports the outcome. It stops renewing (and drops the job) when the shard says
/// the lease is no longer its own: the batch was cancelled, or the lease expired and went to another worker.
/// </summary>
public sealed class VideoWorker(IGrainFactory grains, string name, JobRunner runner, TimeSpan idleDelay, ILogger logger)
{
    private static readonly TimeSpan FinishedRecheck = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, DateTime> _finished = [];
    private readonly Random _random = new();

    /// <summary>The worker's name (in leases and logs).</summary>
    public string Name => name;

    /// <summary>Jobs this worker has completed (generated or found existing).</summary>
    public int Completed { get; private set; }

    /// <summary>Works until <paramref name="stopping"/> is cancelled; a job in progress is given back unfinished.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        logger.LogInformation("Worker {Worker} started", name);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!await TryOneJobAsync(stopping))
                {
                    await Task.Delay(idleDelay, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The cluster may be changing (a silo went away): wait and look again.
                logger.LogWarning(e, "Worker {Worker}: looking for work failed", name);
                await Task.Delay(idleDelay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        logger.LogInformation("Worker {Worker} stopped after {Jobs} jobs", name, Completed);
    }

    private async Task<bool> TryOneJobAsync(CancellationToken stopping)
    {
        foreach (var batchId in await grains.GetGrain<IBatchDirectoryGrain>(0).GetBatches())
        {
            if (_finished.TryGetValue(batchId, out var since) && DateTime.UtcNow - since < FinishedRecheck)
            {
                continue;
            }
            var spec = await grains.GetGrain<IBatchGrain>(batchId).GetSpec();
            if (spec is null)
            {
                continue;
            }
            var open = false;
            var start = _random.Next(spec.ShardCount);
            for (var i = 0; i < spec.ShardCount; i++)
            {
                var shard = grains.GetGrain<IJobShardGrain>(spec.ShardKey((start + i) % spec.ShardCount));
                var result = await shard.Lease(name);
                open |= result.Open;
                if (result.Lease is { } lease)
                {
                    await RunLeaseAsync(spec, shard, lease, stopping);
                    return true;
                }
            }
            if (!open)
            {
                _finished[batchId] = DateTime.UtcNow;
            }
            else
            {
                _finished.Remove(batchId);
            }
        }
        return false;
    }

    private async Task RunLeaseAsync(BatchSpec spec, IJobShardGrain shard, JobLease lease, CancellationToken stopping)
    {
        var job = lease.Job;
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var renewal = RenewWhileRunning(spec, shard, lease, lost);
        logger.LogInformation("Worker {Worker}: {Job} (attempt {Attempt})", name, job.JobId, lease.Attempt);
        try
        {
            var outcome = await Task.Run(() => runner.Run(job, spec.SettingsJson, lease.LeaseId.ToString("N"), lost.Token), lost.Token);
            await lost.CancelAsync();
            await Report(() => shard.Complete(job.JobId, lease.LeaseId, outcome.Committed, outcome.FoundExisting), stopping);
            Completed++;
            logger.LogInformation("Worker {Worker}: {Job} {What} in {Seconds:0.0} s -> {Output}", name, job.JobId,
                outcome.FoundExisting ? "found existing" : outcome.Committed ? "done" : "done (another attempt committed it first)",
                outcome.Elapsed.TotalSeconds, job.OutputPath);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            logger.LogInformation("Worker {Worker}: stopping, {Job} given back", name, job.JobId);
            await Report(() => shard.Release(job.JobId, lease.LeaseId), CancellationToken.None);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            logger.LogWarning("Worker {Worker}: {Job} dropped: its lease is no longer this worker's (cancelled batch or expired lease)", name, job.JobId);
        }
        catch (Exception e)
        {
            var retryable = e is not BadInputException;
            logger.LogWarning("Worker {Worker}: {Job} failed: {Error}", name, job.JobId, e.Message);
            await Report(() => shard.Fail(job.JobId, lease.LeaseId, e.Message, retryable), stopping);
        }
    }

    /// <summary>Renews the lease every third of its duration; cancels <paramref name="lost"/> when the shard refuses.</summary>
    private Renewal RenewWhileRunning(BatchSpec spec, IJobShardGrain shard, JobLease lease, CancellationTokenSource lost)
    {
        var period = spec.LeaseDuration / 3;
        var token = lost.Token;
        var task = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(period, token);
                try
                {
                    if (!await shard.Renew(lease.Job.JobId, lease.LeaseId))
                    {
                        await lost.CancelAsync();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The shard may be moving to another silo; the next renewal tries again before the lease runs out.
                    logger.LogDebug(e, "Renewing {Job} failed", lease.Job.JobId);
                }
            }
        }, CancellationToken.None);
        return new Renewal(task, lost);
    }

    /// <summary>Reports to a shard, retrying while the cluster recovers (a shard whose silo died is reactivated elsewhere).</summary>
    private async Task Report(Func<Task> call, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception e) when (attempt < 10 && e is not OperationCanceledException)
            {
                logger.LogWarning("Worker {Worker}: report failed (try {Attempt}): {Error}", name, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt), stopping);
            }
        }
    }

    /// <summary>Ends the renewal loop when the job is over, whatever its outcome.</summary>
    private sealed class Renewal(Task loop, CancellationTokenSource lost) : IDisposable
    {
        public void Dispose()
        {
            lost.Cancel();
            loop.ContinueWith(_ => { }, TaskScheduler.Default).Wait();
        }
    }
}
