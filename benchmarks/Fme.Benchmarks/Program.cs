using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fme.Benchmarks;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Models;
using Fme.MLNet.Streamlining;

// Fme.MLNet benchmarks: each configuration runs in a fresh process, several times; the table reports medians.
//   dotnet run -c Release --project benchmarks/Fme.Benchmarks -- [--runs 3] [--size 512] [--frames 14] [--steps 25]
//       [--configs unet-plain,unet-streamlined,...] [--budget 64MiB] [--gpu 0] [--shrink "cpu:0;gpu:0"] [--out benchmarks/results.md]
//   Step Rehash (each configuration also times a full generation in the same process and compares the frames):
//       --configs rehash-2,rehash-3,rehash-4,rehash-calibrated-9 (rehash-N: full every N steps; rehash-calibrated-K:
//       K full steps chosen by calibration; add -depthD for another depth)
//   Each model against the best plain setup (plain default, plain without arena and memory pattern, streamlined):
//       compare [--runs 3] [--size 512] [--frames 14] [--dims name=N,...] [--dim-default 1] [--value name=N,...] [--out PREFIX]
//           tiny-unet tiny-decoder PATH.onnx[@name=N,...] ...
if (args.Length > 0 && args[0] == "compare")
{
    return Compare.Run(args[1..]);
}
var arguments = Arguments.Parse(args);
if (arguments.Child is { } child)
{
    return Child.Run(child, arguments.Model!, arguments.Size, arguments.Frames, arguments.Steps, arguments.Budget, arguments.Gpu, arguments.Shrink);
}
var model = arguments.Model ?? TinySvd.EnsureCached().FolderPath;
var results = new List<Measurement>();
foreach (var config in arguments.Configs)
{
    for (var run = 0; run < arguments.Runs; run++)
    {
        var m = RunChild(config, model, arguments);
        Console.Error.WriteLine($"{config} run {run + 1}: {m.CallSeconds:0.000} s, steady peak {StreamlinedPlan.FormatBytes(m.SteadyPeakBytes)}");
        results.Add(m);
    }
}
var table = Report.Table(results.Where(r => r.Rehash is null).ToList(), arguments) +
            RehashReport.Table(results.Where(r => r.Rehash is not null).ToList(), arguments);
Console.WriteLine(table);
if (arguments.Out is { } outPath)
{
    File.WriteAllText(outPath, table);
}
return 0;

static Measurement RunChild(string config, string model, Arguments a)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!)
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    if (!Environment.ProcessPath!.EndsWith("Fme.Benchmarks", StringComparison.Ordinal))
    {
        info.ArgumentList.Add(typeof(Measurement).Assembly.Location);
    }
    foreach (var arg in new[] { "--child", config, "--model", model, "--size", a.Size.ToString(CultureInfo.InvariantCulture),
                 "--frames", a.Frames.ToString(CultureInfo.InvariantCulture), "--steps", a.Steps.ToString(CultureInfo.InvariantCulture) })
    {
        info.ArgumentList.Add(arg);
    }
    if (a.Shrink is { } shrink)
    {
        info.ArgumentList.Add("--shrink");
        info.ArgumentList.Add(shrink);
    }
    if (a.Gpu is { } gpu)
    {
        info.ArgumentList.Add("--gpu");
        info.ArgumentList.Add(gpu.ToString(CultureInfo.InvariantCulture));
    }
    if (a.Budget is { } budget)
    {
        info.ArgumentList.Add("--budget");
        info.ArgumentList.Add(budget.ToString(CultureInfo.InvariantCulture));
    }
    using var process = Process.Start(info)!;
    Measurement? result = null;
    while (process.StandardOutput.ReadLine() is { } line)
    {
        result ??= Measurement.FromLine(line);
    }
    process.WaitForExit();
    return result ?? throw new InvalidOperationException($"Configuration {config} printed no measurement (exit code {process.ExitCode}).");
}

/// <summary>Command-line arguments of the driver and of a child.</summary>
internal sealed record Arguments(int Runs, int Size, int Frames, int Steps, string[] Configs, long? Budget, string? Out, string? Model, string? Child)
{
    /// <summary>Run the networks on this CUDA device (no CPU fallback) and report GPU memory.</summary>
    public int? Gpu { get; init; }

    /// <summary>ONNX Runtime's arena shrinkage after each call, e.g. "cpu:0;gpu:0" (memory.enable_memory_arena_shrinkage).</summary>
    public string? Shrink { get; init; }

    public static readonly string[] AllConfigs = ["unet-plain", "unet-streamlined", "unet-budget", "decoder-plain", "decoder-streamlined"];

    public static Arguments Parse(string[] args)
    {
        var a = new Arguments(3, 512, 14, 25, AllConfigs, null, null, null, null);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            a = args[i] switch
            {
                "--runs" => a with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--size" => a with { Size = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--frames" => a with { Frames = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--steps" => a with { Steps = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--configs" => a with { Configs = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--budget" => a with { Budget = ByteSize.Parse(Next()) },
                "--out" => a with { Out = Next() },
                "--model" => a with { Model = Next() },
                "--child" => a with { Child = Next() },
                "--shrink" => a with { Shrink = Next() },
                "--gpu" => a with { Gpu = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'."),
            };
        }
        return a;
    }
}

/// <summary>The markdown table: medians per configuration, and ratios against the plain session of the same network.</summary>
internal static class Report
{
    public static string Table(IReadOnlyList<Measurement> results, Arguments a)
    {
        if (results.Count == 0)
        {
            return "";
        }
        var s = new StringBuilder();
        var where = a.Gpu is { } device ? $"; networks on CUDA device {device}." : ".";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Tiny SVD model set, {a.Frames} frames, {a.Size}x{a.Size} pixels ({a.Size / 8}x{a.Size / 8} latents), UNet batch 2; " +
            $"{a.Runs} fresh processes per configuration, medians; {Environment.ProcessorCount} cores{where}");
        s.AppendLine();
        var gpu = results.Any(r => r.GpuPeakBytes is not null);
        s.AppendLine("| configuration | call time | setup | steady peak RSS | process peak RSS | predicted activations | time vs plain | peak vs plain |" + (gpu ? " GPU peak | GPU peak vs plain |" : ""));
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |" + (gpu ? " --- | --- |" : ""));
        foreach (var group in results.GroupBy(r => r.Config))
        {
            var call = Median(group.Select(r => r.CallSeconds));
            var setup = Median(group.Select(r => r.SetupSeconds));
            var steady = (long)Median(group.Select(r => (double)r.SteadyPeakBytes));
            var process = (long)Median(group.Select(r => (double)r.ProcessPeakBytes));
            var plainName = group.Key.Split('-')[0] + "-plain";
            // A verify row compares inside its own process: no ratios against other processes.
            var plain = group.Key.EndsWith("-verify", StringComparison.Ordinal) ? [] : results.Where(r => r.Config == plainName).ToList();
            var timeRatio = plain.Count == 0 ? "" : $"{call / Median(plain.Select(r => r.CallSeconds)):0.00}x";
            var peakRatio = plain.Count == 0 ? "" : $"{Median(plain.Select(r => (double)r.SteadyPeakBytes)) / steady:0.00}x less";
            var predicted = group.First().PredictedBytes is { } p ? StreamlinedPlan.FormatBytes(p) : "";
            var gpuCells = "";
            if (gpu && group.First().GpuPeakBytes is not null)
            {
                var gpuPeak = Median(group.Select(r => (double)(r.GpuPeakBytes ?? 0)));
                var plainGpu = Median(plain.Select(r => (double)(r.GpuPeakBytes ?? 0)));
                gpuCells = $" {StreamlinedPlan.FormatBytes((long)gpuPeak)} | {(plain.Count == 0 || gpuPeak == 0 ? "" : $"{plainGpu / gpuPeak:0.00}x less")} |";
            }
            else if (gpu)
            {
                gpuCells = " | |";
            }
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key} | {call:0.000} s | {setup:0.0} s | {StreamlinedPlan.FormatBytes(steady)} | {StreamlinedPlan.FormatBytes(process)} | {predicted} | {timeRatio} | {peakRatio} |{gpuCells}");
            if (group.First().Extra is { } extra)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"|   {extra} | | | | | | | |");
            }
        }
        return s.ToString();
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
