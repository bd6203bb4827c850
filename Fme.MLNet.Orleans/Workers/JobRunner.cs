using System.Diagnostics;
using Fme.MLNet.Cluster.Jobs;
using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;

namespace Fme.MLNet.Cluster.Workers;

/// <summary>The outcome of running one job on a worker.</summary>
/// <param name="Committed">This run renamed the output into place.</param>
/// <param name="FoundExisting">The output was there before the run, so nothing was generated.</param>
/// <param name="Elapsed">Time spent.</param>
public sealed record JobOutcome(bool Committed, bool FoundExisting, TimeSpan Elapsed);

/// <summary>A job that cannot succeed on any attempt (its input is not a usable image); it is not retried.</summary>
public sealed class BadInputException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Runs jobs on one device. It keeps one pipeline (the sessions) for the settings it last ran and loads another when a
/// job of a batch with other settings comes. A job whose settings give no seed uses the one derived from its key, so a
/// rerun writes the same bytes.
/// </summary>
public sealed class JobRunner(int? gpuDeviceId, int? threads, bool fallbackToCpu) : IDisposable
{
    private string? _settingsJson;
    private GenerateVideoFmeOptions? _options;
    private VideoDiffusionPipeline? _pipeline;

    /// <summary>Whether the loaded pipeline runs on CUDA.</summary>
    public bool UsesCuda => _pipeline?.UsesCuda ?? false;

    /// <summary>Runs one job: skips it when its output exists, else generates, writes and commits it.</summary>
    /// <exception cref="BadInputException">The image cannot be read.</exception>
    public JobOutcome Run(JobSpec job, string settingsJson, string attempt, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (File.Exists(job.OutputPath))
        {
            return new JobOutcome(false, true, clock.Elapsed);
        }
        var pipeline = PipelineFor(settingsJson);
        RgbImage image;
        try
        {
            image = RgbImage.FromFile(job.ImagePath);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BadInputException($"'{job.ImagePath}' is not a usable image: {e.Message}", e);
        }
        var generation = _options!.Generation;
        generation = generation with { Seed = generation.Seed ?? JobKeys.SeedFor(job.Key) };
        var video = pipeline.Generate(image, generation, cancellationToken: cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var committed = OutputCommit.Write(job.OutputPath, attempt, video.SaveGif);
        return new JobOutcome(committed, false, clock.Elapsed);
    }

    private VideoDiffusionPipeline PipelineFor(string settingsJson)
    {
        if (_pipeline is not null && settingsJson == _settingsJson)
        {
            return _pipeline;
        }
        _pipeline?.Dispose();
        _pipeline = null;
        var options = JobKeys.ReadSettings(settingsJson);
        var pipelineOptions = new PipelineOptions
        {
            GpuDeviceId = gpuDeviceId, FallbackToCpu = fallbackToCpu, IntraOpNumThreads = threads, AllowTf32 = options.AllowTf32,
            ShrinkArenas = options.ShrinkArenas, Unet = options.Unet, Decoder = options.Decoder,
        };
        _pipeline = options.ModelFolder is null
            ? VideoDiffusionPipeline.LoadTiny(pipelineOptions)
            : VideoDiffusionPipeline.Load(options.ModelFolder, pipelineOptions);
        _options = options;
        _settingsJson = settingsJson;
        return _pipeline;
    }

    /// <summary>Releases the sessions.</summary>
    public void Dispose()
    {
        _pipeline?.Dispose();
        _pipeline = null;
    }
}
