using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Jobs;

namespace Fme.MLNet.Cluster.Submission;

/// <summary>
/// Submits a batch: hashes every image (in parallel), makes each job's key and output path, spreads the jobs over the
/// shard grains by a stable hash of their ids, and lists the batch for the workers. Submitting the same batch again adds
/// only what is new; jobs done before stay done.
/// </summary>
public static class BatchSubmitter
{
    private const int JobsPerShard = 500, ChunkSize = 1000;

    /// <summary>Submits <paramref name="request"/> to the cluster behind <paramref name="grains"/>.</summary>
    public static async Task<SubmitResult> SubmitAsync(IGrainFactory grains, BatchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(request);
        var settings = JobKeys.SettingsJson(request.Options);
        var output = Path.GetFullPath(request.OutputFolder);
        var batchId = request.BatchId ?? DefaultBatchId(output, settings);
        var jobs = MakeJobs(request.Inputs, output, settings, cancellationToken);

        var batch = grains.GetGrain<IBatchGrain>(batchId);
        var shards = (await batch.GetSpec())?.ShardCount
            ?? request.ShardCount ?? Math.Max(1, (jobs.Count + JobsPerShard - 1) / JobsPerShard);
        var spec = new BatchSpec
        {
            BatchId = batchId, OutputFolder = output, SettingsJson = settings, ShardCount = shards,
            MaxAttempts = request.MaxAttempts, LeaseDuration = request.LeaseDuration, JobCount = jobs.Count,
            SubmittedUtc = DateTime.UtcNow,
        };
        await batch.Register(spec);
        var added = 0;
        foreach (var group in jobs.GroupBy(j => JobKeys.ShardOf(j.JobId, shards)))
        {
            foreach (var chunk in group.Chunk(ChunkSize))
            {
                added += await grains.GetGrain<IJobShardGrain>(spec.ShardKey(group.Key)).AddJobs(spec, chunk);
            }
        }
        // Shards with no job still need the spec, so that they answer progress and leases.
        foreach (var empty in Enumerable.Range(0, shards).Except(jobs.Select(j => JobKeys.ShardOf(j.JobId, shards))))
        {
            await grains.GetGrain<IJobShardGrain>(spec.ShardKey(empty)).AddJobs(spec, []);
        }
        await grains.GetGrain<IBatchDirectoryGrain>(0).Add(batchId);
        return new SubmitResult(batchId, jobs.Count, added, shards);
    }

    /// <summary>A batch id from the output folder and settings: "batch-" and 12 hex digits.</summary>
    public static string DefaultBatchId(string outputFolder, string settingsJson) =>
        "batch-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Path.GetFullPath(outputFolder)}\n{settingsJson}")))[..12];

    private static List<JobSpec> MakeJobs(IReadOnlyList<BatchInput> inputs, string output, string settings, CancellationToken cancellationToken)
    {
        var jobs = new ConcurrentBag<(int Index, JobSpec Job)>();
        Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, i =>
        {
            var input = inputs[i];
            // A file that cannot be read still becomes a job (keyed by its path), which then fails alone with the reason.
            string content;
            try
            {
                content = JobKeys.ContentHash(input.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                content = "unreadable:" + input.Path;
            }
            var key = JobKeys.Key(content, settings);
            jobs.Add((i, new JobSpec { JobId = input.JobId, ImagePath = input.Path, Key = key, OutputPath = JobKeys.OutputPath(output, input.JobId, key) }));
        });
        return [.. jobs.OrderBy(j => j.Index).Select(j => j.Job)];
    }
}
