using Fme.MLNet.Cluster.Jobs;
using Microsoft.Extensions.Logging;

namespace Fme.MLNet.Cluster.Grains;

/// <summary>What a batch grain keeps durably.</summary>
[GenerateSerializer]
public sealed class BatchState
{
    /// <summary>The spec as last submitted.</summary>
    [Id(0)] public BatchSpec? Spec { get; set; }

    /// <summary>The batch was cancelled.</summary>
    [Id(1)] public bool Cancelled { get; set; }
}

/// <summary>A batch: its spec, and the fan-out of progress and cancellation to its shards.</summary>
public sealed class BatchGrain(
    [PersistentState("batch", StorageNames.Jobs)] IPersistentState<BatchState> state,
    ILogger<BatchGrain> logger) : Grain, IBatchGrain
{
    /// <inheritdoc />
    public async Task Register(BatchSpec spec)
    {
        state.State.Spec = spec;
        state.State.Cancelled = false;
        await state.WriteStateAsync();
        logger.LogInformation("Batch {Batch}: {Jobs} jobs in {Shards} shards, output {Output}",
            spec.BatchId, spec.JobCount, spec.ShardCount, spec.OutputFolder);
    }

    /// <inheritdoc />
    public Task<BatchSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    /// <inheritdoc />
    public Task<bool> IsCancelled() => Task.FromResult(state.State.Cancelled);

    /// <inheritdoc />
    public async Task<BatchProgress> GetProgress(int maxFailures = 100)
    {
        var total = new BatchProgress { BatchId = this.GetPrimaryKeyString(), IsCancelled = state.State.Cancelled };
        foreach (var part in await Task.WhenAll(Shards().Select(s => s.GetProgress(maxFailures))))
        {
            total = total.Add(part, maxFailures);
        }
        return total;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FinishedJob>> GetFinished(int max = 1000)
    {
        var parts = await Task.WhenAll(Shards().Select(s => s.GetFinished(max)));
        return [.. parts.SelectMany(p => p).OrderByDescending(j => j.DoneUtc).Take(max)];
    }

    /// <inheritdoc />
    public async Task Cancel()
    {
        state.State.Cancelled = true;
        await state.WriteStateAsync();
        await Task.WhenAll(Shards().Select(s => s.Cancel()));
        logger.LogWarning("Batch {Batch} cancelled", this.GetPrimaryKeyString());
    }

    private IEnumerable<IJobShardGrain> Shards() => state.State.Spec is not { } spec ? []
        : Enumerable.Range(0, spec.ShardCount).Select(i => GrainFactory.GetGrain<IJobShardGrain>(spec.ShardKey(i)));
}

/// <summary>What the batch directory keeps durably.</summary>
[GenerateSerializer]
public sealed class DirectoryState
{
    /// <summary>Batch ids in submission order.</summary>
    [Id(0)] public List<string> Batches { get; set; } = [];
}

/// <summary>The list of batches (ids only).</summary>
public sealed class BatchDirectoryGrain(
    [PersistentState("directory", StorageNames.Jobs)] IPersistentState<DirectoryState> state) : Grain, IBatchDirectoryGrain
{
    /// <inheritdoc />
    public async Task Add(string batchId)
    {
        if (!state.State.Batches.Contains(batchId))
        {
            state.State.Batches.Add(batchId);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> GetBatches() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Batches]);
}
