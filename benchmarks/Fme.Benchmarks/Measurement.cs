using System.Text.Json;

namespace Fme.Benchmarks;

/// <summary>What one child process measured for one configuration.</summary>
internal sealed record Measurement(
    string Config,
    double SetupSeconds,
    double CallSeconds,
    long SteadyPeakBytes,
    long ProcessPeakBytes,
    long? PredictedBytes,
    string? Extra)
{
    public const string Marker = "MEASUREMENT ";

    /// <summary>For Step Rehash configurations: the comparison with the full run of the same process.</summary>
    public RehashResult? Rehash { get; init; }

    /// <summary>With --gpu: the process's highest GPU memory use (CUDA context and arena), from nvidia-smi.</summary>
    public long? GpuPeakBytes { get; init; }

    public string ToLine() => Marker + JsonSerializer.Serialize(this);

    public static Measurement? FromLine(string line) =>
        line.StartsWith(Marker, StringComparison.Ordinal) ? JsonSerializer.Deserialize<Measurement>(line[Marker.Length..]) : null;
}
