using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Hosting;
using Fme.MLNet.Cluster.Jobs;
using Fme.MLNet.Cluster.Submission;
using Fme.MLNet.Cluster.Workers;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>Three in-process silos, one CPU worker each, on the tiny model; one silo is stopped in the middle of a batch.</summary>
public sealed class InProcessClusterTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class SiloConfig : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
            });
            silo.AddFmeBatchScoring(ClusterStorage.InMemory,
                new WorkerOptions { CpuWorkers = 1, CpuThreadsPerWorker = 1, IdleDelay = TimeSpan.FromMilliseconds(200) });
        }
    }

    [Fact]
    public async Task ABatchSurvivesAStoppedSilo_EveryVideoIsCommittedOnce_AndAResubmissionSkipsThem()
    {
        var input = _temp.Sub("in");
        var output = _temp.Sub("out");
        TestImages.WriteRandom(input, 12, seed: 14);
        var broken = TestImages.WriteBroken(Path.Combine(input, "zz-broken.png"));
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloConfig>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var request = new BatchRequest
            {
                Inputs = BatchInputs.FromFolder(input), OutputFolder = output, Options = TinySettings.Options,
                BatchId = "three-silos", ShardCount = 4, LeaseDuration = TimeSpan.FromSeconds(6),
            };
            var submitted = await BatchSubmitter.SubmitAsync(cluster.Client, request);
            Assert.Equal((13, 13, 4), (submitted.Jobs, submitted.NewJobs, submitted.ShardCount));
            var batch = cluster.Client.GetGrain<IBatchGrain>("three-silos");

            await WaitFor(batch, p => p.Done >= 3, TimeSpan.FromSeconds(90));
            await cluster.StopSiloAsync(cluster.SecondarySilos[0]);
            var progress = await WaitFor(batch, p => p.IsFinished, TimeSpan.FromSeconds(120));

            Assert.Equal((12, 1, 0, 0), (progress.Done, progress.Failed, progress.Pending, progress.Running));
            var failure = Assert.Single(progress.Failures);
            Assert.Equal(("zz-broken.png", 1), (failure.JobId, failure.Attempts));
            Assert.Contains(broken, failure.Error);
            Assert.NotNull(progress.VideosPerMinute);
            Assert.Contains("12 done", progress.ToString());

            var finished = await batch.GetFinished();
            Assert.Equal(12, finished.Count);
            Assert.All(finished, j => Assert.Equal((1, false), (j.Commits, j.FoundExisting)));
            var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
            Assert.Equal(finished.Select(j => j.OutputPath).Order(), files.Order()); // nothing else: no temporary files
            foreach (var file in files)
            {
                TestImages.AssertVideo(file, TinySettings.Frames, TinySettings.Size, TinySettings.Size);
            }

            // Running a job again (as after a crash) writes the same bytes to the same path.
            var first = finished[0];
            var spec = (await batch.GetSpec())!;
            var again = Path.Combine(_temp.Sub("again"), "video.gif");
            using (var runner = new JobRunner(null, 1, fallbackToCpu: true))
            {
                var job = BatchInputs.FromFolder(input).Single(i => i.JobId == first.JobId);
                var key = JobKeys.Key(JobKeys.ContentHash(job.Path), spec.SettingsJson);
                Assert.Equal(first.OutputPath, JobKeys.OutputPath(output, job.JobId, key));
                var outcome = runner.Run(new JobSpec { JobId = job.JobId, ImagePath = job.Path, Key = key, OutputPath = again },
                    spec.SettingsJson, "rerun", CancellationToken.None);
                Assert.True(outcome.Committed);
            }
            Assert.Equal(File.ReadAllBytes(first.OutputPath), File.ReadAllBytes(again));

            // Submitting the batch again adds nothing and redoes nothing that is done; the broken image is retried.
            var stamps = files.ToDictionary(f => f, File.GetLastWriteTimeUtc);
            var resubmitted = await BatchSubmitter.SubmitAsync(cluster.Client, request);
            Assert.Equal((13, 0), (resubmitted.Jobs, resubmitted.NewJobs));
            progress = await WaitFor(batch, p => p.IsFinished, TimeSpan.FromSeconds(60));
            Assert.Equal((12, 1), (progress.Done, progress.Failed));
            Assert.All(await batch.GetFinished(), j => Assert.Equal(1, j.Commits));
            Assert.All(files, f => Assert.Equal(stamps[f], File.GetLastWriteTimeUtc(f)));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    internal static async Task<BatchProgress> WaitFor(IBatchGrain batch, Func<BatchProgress, bool> done, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        object? last = null;
        while (true)
        {
            try
            {
                var progress = await batch.GetProgress();
                if (done(progress))
                {
                    return progress;
                }
                last = progress;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // A killed silo held the batch grain: calls fail until membership declares it dead and it is reactivated.
                last = e.Message;
            }
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s: {last}");
            }
            await Task.Delay(250);
        }
    }
}
