using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fme.MLNet.Cluster.Workers;

/// <summary>Runs a silo's workers (<see cref="WorkerOptions"/>) for as long as the host runs.</summary>
public sealed class WorkerService(IGrainFactory grains, WorkerOptions options, ILoggerFactory loggers) : BackgroundService
{
    /// <summary>The workers, once started.</summary>
    public IReadOnlyList<VideoWorker> Workers { get; private set; } = [];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var logger = loggers.CreateLogger<VideoWorker>();
        var runners = new List<JobRunner>();
        try
        {
            var workers = new List<VideoWorker>();
            foreach (var (name, gpu, threads) in options.Expand())
            {
                var runner = new JobRunner(gpu, threads, options.FallbackToCpu);
                runners.Add(runner);
                workers.Add(new VideoWorker(grains, name, runner, options.IdleDelay, logger));
            }
            Workers = workers;
            // Workers start after the silo has joined the cluster (BackgroundService runs ExecuteAsync once started).
            await Task.WhenAll(workers.Select(w => Task.Run(() => w.RunAsync(stoppingToken), CancellationToken.None)));
        }
        finally
        {
            foreach (var runner in runners)
            {
                runner.Dispose();
            }
        }
    }
}
