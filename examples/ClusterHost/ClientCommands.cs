using System.CommandLine;
using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Hosting;
using Fme.MLNet.Cluster.Submission;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Rehash;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Fme.ClusterHost;

/// <summary><c>submit</c>, <c>progress</c> and <c>cancel</c>: clients of the cluster.</summary>
internal static class ClientCommands
{
    /// <summary>Sizes and steps used with the built-in tiny model (its videos are noise, so small is enough).</summary>
    private const int TinySize = 64, TinySteps = 2;

    public static Command Submit()
    {
        var connection = new ConnectionOptions();
        var input = new Argument<string>("input") { Description = "A folder of images (read recursively) or a manifest file (one image path per line)." };
        var output = new Argument<string>("output") { Description = "The shared output folder (every silo must see it at this path)." };
        var batchId = new Option<string?>("--batch-id") { Description = "The batch's name (default: derived from the output folder and settings)." };
        var model = new Option<string?>("--model", "-m") { Description = "An SVD model folder, at the same path on every machine; default: the built-in tiny model set." };
        var width = new Option<int?>("--width") { Description = $"Frame width, a multiple of 64 (default 1024; {TinySize} with the tiny model)." };
        var height = new Option<int?>("--height") { Description = $"Frame height, a multiple of 64 (default 576; {TinySize} with the tiny model)." };
        var steps = new Option<int?>("--steps") { Description = $"Denoising steps (default 25; {TinySteps} with the tiny model)." };
        var frames = new Option<int?>("--frames") { Description = "Frames per video (default: the model's num_frames)." };
        var seed = new Option<ulong?>("--seed") { Description = "One noise seed for every video (default: each job's own, derived from its key)." };
        var rehash = new Option<int?>("--rehash-interval") { Description = "Step Rehash: every Nth step runs the whole UNet (default: off)." };
        var shards = new Option<int?>("--shards") { Description = "Shard grains to spread the jobs over (default: one per 500 jobs)." };
        var lease = new Option<double>("--lease-seconds") { Description = "How long a job stays with a worker that stopped renewing it (default 120).", DefaultValueFactory = _ => 120 };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per job before it is recorded failed (default 3).", DefaultValueFactory = _ => 3 };
        var command = new Command("submit", "Submit a batch (again, to resume: done jobs are skipped).")
        {
            input, output, batchId, model, width, height, steps, frames, seed, rehash, shards, lease, attempts,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var folder = parse.GetValue(model);
            var defaults = folder is null ? new GenerationOptions { Width = TinySize, Height = TinySize, Steps = TinySteps } : GenerationOptions.Default;
            var options = new GenerateVideoFmeOptions("Video", "Image")
            {
                ModelFolder = folder is null ? null : Path.GetFullPath(folder),
                Generation = defaults with
                {
                    Width = parse.GetValue(width) ?? defaults.Width,
                    Height = parse.GetValue(height) ?? defaults.Height,
                    Steps = parse.GetValue(steps) ?? defaults.Steps,
                    NumFrames = parse.GetValue(frames),
                    Seed = parse.GetValue(seed),
                    StepRehash = parse.GetValue(rehash) is { } n ? StepRehashOptions.WithInterval(n) : null,
                },
            };
            var source = parse.GetValue(input)!;
            var inputs = Directory.Exists(source) ? BatchInputs.FromFolder(source) : BatchInputs.FromManifest(source);
            var request = new BatchRequest
            {
                Inputs = inputs, OutputFolder = parse.GetValue(output)!, Options = options, BatchId = parse.GetValue(batchId),
                ShardCount = parse.GetValue(shards), LeaseDuration = TimeSpan.FromSeconds(parse.GetValue(lease)),
                MaxAttempts = parse.GetValue(attempts),
            };
            return await WithClient(connection, parse, async grains =>
            {
                var result = await BatchSubmitter.SubmitAsync(grains, request, cancellation);
                Console.WriteLine($"Submitted batch {result.BatchId}: {result.Jobs} jobs ({result.NewJobs} new) in {result.ShardCount} shards.");
                return 0;
            }, cancellation);
        });
        return command;
    }

    public static Command Progress()
    {
        var connection = new ConnectionOptions();
        var batch = new Argument<string>("batch") { Description = "The batch id (as submit printed it)." };
        var watch = new Option<double?>("--watch") { Description = "Print again every N seconds until the batch is finished." };
        var command = new Command("progress", "Show a batch's progress (done / running / failed / pending, videos per minute, time left) and its failures.")
        {
            batch, watch,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellation) => await WithClient(connection, parse, async grains =>
        {
            var grain = grains.GetGrain<IBatchGrain>(parse.GetValue(batch)!);
            if (await grain.GetSpec() is null)
            {
                await Console.Error.WriteLineAsync($"No batch '{parse.GetValue(batch)}' was submitted to this cluster.");
                return 2;
            }
            while (true)
            {
                var progress = await grain.GetProgress();
                Console.Write(progress.ToString());
                if (parse.GetValue(watch) is not { } seconds || progress.IsFinished)
                {
                    return progress.Failed > 0 ? 1 : 0;
                }
                await Task.Delay(TimeSpan.FromSeconds(seconds), cancellation);
            }
        }, cancellation));
        return command;
    }

    public static Command Cancel()
    {
        var connection = new ConnectionOptions();
        var batch = new Argument<string>("batch") { Description = "The batch id." };
        var command = new Command("cancel", "Cancel a batch: pending jobs are dropped, running ones stop at their next lease renewal.") { batch };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellation) => await WithClient(connection, parse, async grains =>
        {
            await grains.GetGrain<IBatchGrain>(parse.GetValue(batch)!).Cancel();
            Console.WriteLine($"Cancelled batch {parse.GetValue(batch)}.");
            return 0;
        }, cancellation));
        return command;
    }

    private static async Task<int> WithClient(ConnectionOptions connection, ParseResult parse, Func<IGrainFactory, Task<int>> work, CancellationToken cancellation)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => connection.Configure(o, parse));
            client.UseFmeClustering(connection.Storage(parse), parse.GetValue(connection.GatewayPort));
        });
        using var host = builder.Build();
        await host.StartAsync(cancellation);
        try
        {
            return await work(host.Services.GetRequiredService<IClusterClient>());
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
