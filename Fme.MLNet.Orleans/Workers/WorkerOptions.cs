namespace Fme.MLNet.Cluster.Workers;

/// <summary>The workers of one silo: one per GPU id, or CPU workers when none is given.</summary>
public sealed record WorkerOptions
{
    /// <summary>CUDA devices, one worker each. Empty: <see cref="CpuWorkers"/> CPU workers.</summary>
    public IReadOnlyList<int> GpuIds { get; init; } = [];

    /// <summary>CPU workers when <see cref="GpuIds"/> is empty (default 1; 0 makes a silo that only holds grains).</summary>
    public int CpuWorkers { get; init; } = 1;

    /// <summary>ONNX Runtime threads per CPU worker; null shares the cores evenly between the CPU workers.</summary>
    public int? CpuThreadsPerWorker { get; init; }

    /// <summary>Fall back to the CPU when CUDA cannot be loaded (default false: a GPU worker without CUDA should be noticed).</summary>
    public bool FallbackToCpu { get; init; }

    /// <summary>How long a worker with nothing to do waits before asking again. Default 1 s.</summary>
    public TimeSpan IdleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Name prefix of the workers (default: the machine name), for leases and logs.</summary>
    public string? Name { get; init; }

    /// <summary>The workers this makes: (name, GPU id or null for the CPU, threads).</summary>
    public IReadOnlyList<(string Name, int? GpuId, int? Threads)> Expand()
    {
        var prefix = $"{Name ?? Environment.MachineName}-{Environment.ProcessId}";
        if (GpuIds.Count > 0)
        {
            return [.. GpuIds.Select(id => ($"{prefix}-gpu{id}", (int?)id, (int?)null))];
        }
        var threads = CpuThreadsPerWorker ?? Math.Max(1, Environment.ProcessorCount / Math.Max(1, CpuWorkers));
        return [.. Enumerable.Range(0, CpuWorkers).Select(i => ($"{prefix}-cpu{i}", (int?)null, (int?)threads))];
    }
}
