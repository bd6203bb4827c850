using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fme.MLNet.Streamlining;

namespace Fme.Benchmarks;

/// <summary>
/// <c>compare</c>: each model against the best plain ONNX Runtime setup. Every (model, configuration, run) is a fresh
/// process; the tables report medians. Writes OUT.md and OUT.json with --out OUT.
/// </summary>
internal static class Compare
{
    public static int Run(IReadOnlyList<string> args)
    {
        var a = CompareArguments.Parse(args);
        if (a.ChildConfig is { } config)
        {
            return CompareChild.Run(CompareModel.Parse(a.Models[0], a), config, a);
        }
        var models = a.Models.Select(m => CompareModel.Parse(m, a)).ToList();
        var results = new List<CompareMeasurement>();
        foreach (var model in models)
        {
            // Runs interleave the configurations, so a change in the machine's load falls on all of them alike.
            for (var run = 0; run < a.Runs; run++)
            {
                foreach (var cfg in a.Configs)
                {
                    WaitForMemory(results.Where(r => r.Model == model.Spec && r.Config == cfg).Select(r => r.ColdPeakBytes).DefaultIfEmpty(0).Max());
                    var m = RunChild(model.Spec, cfg, a);
                    Console.Error.WriteLine($"{model.Label} / {cfg} run {run + 1}: cold {m.ColdSeconds:0.000} s {StreamlinedPlan.FormatBytes(m.ColdPeakBytes)}, " +
                                            $"warm {m.WarmSeconds:0.000} s {StreamlinedPlan.FormatBytes(m.WarmPeakBytes)}");
                    results.Add(m);
                }
            }
        }
        var command = "dotnet run -c Release --project benchmarks/Fme.Benchmarks -- compare " + string.Join(" ", args);
        var summaries = models.Select(m => Summarize(m, results.Where(r => r.Model == m.Spec).ToList())).ToList();
        var markdown = Markdown(command, a, summaries);
        Console.WriteLine(markdown);
        if (a.Out is { } outPath)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            File.WriteAllText(outPath + ".md", markdown);
            File.WriteAllText(outPath + ".json", JsonSerializer.Serialize(new { command, cores = Environment.ProcessorCount, summaries, measurements = results },
                new JsonSerializerOptions { WriteIndented = true }));
        }
        return 0;
    }

    /// <summary>The machine is shared: wait (up to 5 minutes) until it has room for what this configuration took before, plus 1 GiB.</summary>
    private static void WaitForMemory(long lastPeak)
    {
        for (var waited = 0; waited < 300 && CompareArguments.AvailableBytes() is { } free && free < lastPeak + (1L << 30); waited += 10)
        {
            Console.Error.WriteLine($"waiting for memory: {StreamlinedPlan.FormatBytes(free)} available, {StreamlinedPlan.FormatBytes(lastPeak)} needed");
            Thread.Sleep(10_000);
        }
    }

    private static CompareMeasurement RunChild(string model, string config, CompareArguments a)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("Fme.Benchmarks", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(typeof(Compare).Assembly.Location);
        }
        foreach (var arg in a.ForChild(model, config))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        CompareMeasurement? result = null;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            result ??= CompareMeasurement.FromLine(line);
        }
        process.WaitForExit();
        return result ?? throw new InvalidOperationException($"{model} / {config} printed no measurement (exit code {process.ExitCode}).");
    }

    /// <summary>Medians of one configuration of one model.</summary>
    internal sealed record ConfigMedians(string Config, int Runs, double ColdSeconds, long ColdPeakBytes, double WarmSeconds, long WarmPeakBytes,
        long WarmDeltaBytes, long BeforeWarmBytes, long StartBytes);

    /// <summary>One model: every configuration's medians, the best plain setup, and the ratios against it.</summary>
    internal sealed record ModelSummary(string Model, string Label, IReadOnlyList<ConfigMedians> Configs, string BestPlainWarm, string BestPlainCold,
        double? WarmPeakReduction, double? WarmTimeRatio, double? ColdPeakReduction, double? ColdTimeRatio,
        long? PredictedUnslicedBytes, long? PredictedStreamlinedBytes, string? UnslicedReason, int? Groups, int? CutGroups, double? MemoryModelRatio);

    private static ModelSummary Summarize(CompareModel model, IReadOnlyList<CompareMeasurement> rs)
    {
        var configs = rs.GroupBy(r => r.Config).Select(g => new ConfigMedians(g.Key, g.Count(),
            Report.Median(g.Select(r => r.ColdSeconds)), (long)Report.Median(g.Select(r => (double)r.ColdPeakBytes)),
            Report.Median(g.Select(r => r.WarmSeconds)), (long)Report.Median(g.Select(r => (double)r.WarmPeakBytes)),
            (long)Report.Median(g.Select(r => (double)r.WarmDeltaBytes)), (long)Report.Median(g.Select(r => (double)r.BeforeWarmBytes)),
            (long)Report.Median(g.Select(r => (double)r.StartBytes)))).ToList();
        var plain = configs.Where(c => c.Config.StartsWith("plain-", StringComparison.Ordinal)).ToList();
        var s = configs.FirstOrDefault(c => c.Config == "streamlined");
        var warm = plain.MinBy(c => c.WarmPeakBytes);
        var cold = plain.MinBy(c => c.ColdPeakBytes);
        var first = rs.FirstOrDefault(r => r.Config == "streamlined");
        double? memoryModel = s is null || first?.PredictedStreamlinedBytes is not { } predicted ? null : (double)s.WarmPeakBytes / (s.BeforeWarmBytes + predicted);
        return new ModelSummary(model.Spec, model.Label, configs, warm?.Config ?? "", cold?.Config ?? "",
            s is null || warm is null ? null : (double)warm.WarmPeakBytes / s.WarmPeakBytes,
            s is null || warm is null ? null : s.WarmSeconds / warm.WarmSeconds,
            s is null || cold is null ? null : (double)cold.ColdPeakBytes / s.ColdPeakBytes,
            s is null || cold is null ? null : s.ColdSeconds / cold.ColdSeconds,
            first?.PredictedUnslicedBytes, first?.PredictedStreamlinedBytes, first?.UnslicedReason, first?.Groups, first?.CutGroups, memoryModel);
    }

    private static string Markdown(string command, CompareArguments a, IReadOnlyList<ModelSummary> summaries)
    {
        static string B(long bytes) => StreamlinedPlan.FormatBytes(bytes);
        static string X(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "";
        // ONNX Runtime's messages can run to a paragraph; the JSON keeps them whole.
        static string Shorten(string text) => text.Length > 160 ? text[..160] + " ..." : text;
        // A reduction below 1 reads as how much more the streamlined run took.
        static string Less(double? v) => v is not { } x ? "" : x >= 1 ? X(x) + " less" : X(1 / x) + " MORE";
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"`{command}`");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"One fresh process per model, configuration and run; {a.Runs} runs, medians; {Environment.ProcessorCount} cores, CPU. " +
            $"Measured on a shared machine (other jobs running): resident memory is reliable, times are indicative. " +
            $"plain-default: `InferenceSession` with ONNX Runtime's default options; plain-lean: CPU arena and memory pattern off; " +
            $"streamlined: `StreamlinedSession` with default options. Best plain: the plain setup with the lower peak. " +
            $"Cold: session creation (streamlined: planning and group sessions too) and the first call, peak RSS of the process so far. " +
            $"Warm: the second call, as in a denoising loop, peak RSS during it (the peak is reset before it).");
        s.AppendLine();
        s.AppendLine("| model | warm peak RSS: default / lean / streamlined | warm peak vs best plain | warm time vs best plain | cold peak vs best plain | cold time vs best plain | plan: cut groups, predicted activations unsliced -> streamlined | warm RSS / (RSS before + predicted) |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var m in summaries)
        {
            string Peak(string config) => m.Configs.FirstOrDefault(c => c.Config == config) is { } c ? B(c.WarmPeakBytes) : "-";
            var plan = m.PredictedUnslicedBytes is { } u && m.PredictedStreamlinedBytes is { } p
                ? $"{m.CutGroups} of {m.Groups} cut, {B(u)} -> {B(p)}" + (m.UnslicedReason is { } why ? "; runs whole: " + Shorten(why) : "")
                : "";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Label} | {Peak("plain-default")} / {Peak("plain-lean")} / {Peak("streamlined")} | **{Less(m.WarmPeakReduction)}** ({m.BestPlainWarm}) | {X(m.WarmTimeRatio)} | " +
                $"{Less(m.ColdPeakReduction)} ({m.BestPlainCold}) | {X(m.ColdTimeRatio)} | {plan} | {X(m.MemoryModelRatio)} |");
        }
        s.AppendLine();
        s.AppendLine("Medians per configuration:");
        s.AppendLine();
        s.AppendLine("| model | configuration | runs | RSS at start | cold: time, peak RSS | RSS before warm call | warm: time, peak RSS, added during the call |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var m in summaries)
        {
            foreach (var c in m.Configs)
            {
                s.AppendLine(CultureInfo.InvariantCulture,
                    $"| {m.Label} | {c.Config} | {c.Runs} | {B(c.StartBytes)} | {c.ColdSeconds:0.000} s, {B(c.ColdPeakBytes)} | {B(c.BeforeWarmBytes)} | " +
                    $"{c.WarmSeconds:0.000} s, {B(c.WarmPeakBytes)}, {B(c.WarmDeltaBytes)} |");
            }
        }
        return s.ToString();
    }
}
