using System.Globalization;
using System.Text;
using Fme.MLNet.Streamlining;

namespace Fme.Benchmarks;

/// <summary>The Step Rehash table: per configuration, medians over its runs.</summary>
internal static class RehashReport
{
    public static string Table(IReadOnlyList<Measurement> results, Arguments a)
    {
        if (results.Count == 0)
        {
            return "";
        }
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"Step Rehash, tiny SVD model set (random weights), {a.Frames} frames, {a.Size}x{a.Size} pixels, {a.Steps} steps, UNet batch 2; ");
        s.Append(CultureInfo.InvariantCulture, $"{a.Runs} fresh processes per configuration, medians; {Environment.ProcessorCount} cores. ");
        s.AppendLine("Speed-up: the full generation's denoising loop over the rehash one, timed in the same process; differences: the rehash frames against the full ones (8-bit).");
        s.AppendLine();
        s.AppendLine("| configuration | schedule | UNet calls full / shallow | loop, full | loop, rehash | speed-up | PSNR | max abs diff | RSS at start, full -> rehash | peak RSS above start, full -> rehash | predicted UNet activations full -> rehash |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var group in results.GroupBy(r => r.Config))
        {
            var runs = group.Select(r => r.Rehash!).ToList();
            double Median(Func<RehashResult, double> f) => Report.Median(runs.Select(f));
            var first = runs[0];
            var psnr = runs.Any(r => r.Psnr is null) ? "identical" : $"{Median(r => r.Psnr!.Value):0.0} dB";
            var calibration = first.CalibrationSeconds is { } c ? $" (calibration {c:0.0} s)" : "";
            s.Append(CultureInfo.InvariantCulture, $"| {group.Key} | {first.Schedule}{calibration} | {first.FullCalls} / {first.ShallowCalls} | ");
            s.Append(CultureInfo.InvariantCulture, $"{Median(r => r.FullLoopSeconds):0.0} s | {Median(r => r.RehashLoopSeconds):0.0} s | ");
            s.Append(CultureInfo.InvariantCulture, $"{Median(r => r.FullLoopSeconds / r.RehashLoopSeconds):0.00}x | {psnr} | {Median(r => r.MaxAbsDifference):0} | ");
            s.Append(CultureInfo.InvariantCulture, $"{Bytes(Median(r => r.FullMemory.StartBytes))} -> {Bytes(Median(r => r.RehashMemory.StartBytes))} | ");
            s.Append(CultureInfo.InvariantCulture, $"{Bytes(Median(r => r.FullMemory.PeakAboveStartBytes))} -> {Bytes(Median(r => r.RehashMemory.PeakAboveStartBytes))} | ");
            s.AppendLine(CultureInfo.InvariantCulture, $"{Bytes(first.FullPredictedBytes)} -> {Bytes(first.RehashPredictedBytes)} |");
        }
        return s.ToString();
    }

    private static string Bytes(double? bytes) => bytes is { } b ? StreamlinedPlan.FormatBytes((long)b) : "";
}
