using System.Diagnostics;
using System.Text.Json;
using Fme.MLNet.Diagnostics;
using Fme.MLNet.Streamlining;
using Microsoft.ML.OnnxRuntime;

namespace Fme.Benchmarks;

/// <summary>What one fresh process measured for one model and configuration: its cold first call and a warm second call.</summary>
internal sealed record CompareMeasurement(
    string Model,
    string Config,
    long StartBytes,
    double ColdSeconds,
    long ColdPeakBytes,
    long BeforeWarmBytes,
    double WarmSeconds,
    long WarmPeakBytes,
    long? PredictedUnslicedBytes,
    long? PredictedStreamlinedBytes,
    string? UnslicedReason,
    int? Groups,
    int? CutGroups)
{
    public const string Marker = "COMPARE ";

    /// <summary>Resident memory the warm call added on top of what the process held before it.</summary>
    public long WarmDeltaBytes => WarmPeakBytes - BeforeWarmBytes;

    public string ToLine() => Marker + JsonSerializer.Serialize(this);

    public static CompareMeasurement? FromLine(string line) =>
        line.StartsWith(Marker, StringComparison.Ordinal) ? JsonSerializer.Deserialize<CompareMeasurement>(line[Marker.Length..]) : null;
}

/// <summary>
/// One (model, configuration) in this fresh process. The cold call is the first one: session creation (for the streamlined
/// session also planning and the group sessions) plus the call; its peak is the process's high-water mark so far. Then
/// the peak is reset and a second call, as in a denoising loop, is timed and its peak read.
/// </summary>
internal static class CompareChild
{
    /// <summary>The configurations, in table order.</summary>
    public static readonly string[] Configs = ["plain-default", "plain-lean", "streamlined"];

    public static int Run(CompareModel model, string config, CompareArguments a)
    {
        GC.Collect();
        var start = ProcessMemory.ResidentBytes;
        var clock = Stopwatch.StartNew();
        Action call;
        IDisposable session;
        Func<StreamlinedPlan?> plan = () => null;
        Dictionary<string, OrtValue> inputs;
        if (config == "streamlined")
        {
            var streamlined = StreamlinedSession.Create(model.Path, model.Streamline);
            session = streamlined;
            inputs = Inputs(model, a, streamlined.InputMetadata.Select(kv =>
                new InputInfo(kv.Key, kv.Value.TensorElementType, kv.Value.Dimensions.ToArray(), kv.Value.SymbolicDimensions.ToArray())));
            call = () => streamlined.Run(inputs).Dispose();
            plan = () => streamlined.Plan;
        }
        else
        {
            // Plain as a user makes it: ONNX Runtime's default options, or the memory-minded ones (no CPU arena, no memory pattern).
            using var options = new SessionOptions();
            if (config == "plain-lean")
            {
                options.EnableCpuMemArena = false;
                options.EnableMemoryPattern = false;
            }
            else if (config != "plain-default")
            {
                throw new ArgumentException($"Unknown configuration '{config}' (expected {string.Join(", ", Configs)}).");
            }
            var plain = new InferenceSession(model.Path, options);
            session = plain;
            inputs = Inputs(model, a, plain.InputMetadata.Select(kv =>
                new InputInfo(kv.Key, kv.Value.ElementDataType, kv.Value.Dimensions.Select(d => (long)d).ToArray(), kv.Value.SymbolicDimensions)));
            var names = inputs.Keys.ToArray();
            var values = names.Select(n => inputs[n]).ToArray();
            using var runOptions = new RunOptions();
            call = () => plain.Run(runOptions, names, values, plain.OutputNames).Dispose();
        }
        using (session)
        {
            call();
            var coldSeconds = clock.Elapsed.TotalSeconds;
            var coldPeak = ProcessMemory.PeakResidentBytes;
            GC.Collect();
            var beforeWarm = ProcessMemory.ResidentBytes;
            ProcessMemory.ResetPeak();
            var started = Stopwatch.GetTimestamp();
            call();
            var warmSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var warmPeak = ProcessMemory.PeakResidentBytes;
            var p = plan();
            Console.WriteLine(new CompareMeasurement(model.Spec, config, start, coldSeconds, coldPeak, beforeWarm, warmSeconds, warmPeak,
                p?.PredictedPeakUnslicedBytes, p?.PredictedPeakStreamlinedBytes, p?.UnslicedReason, p?.Groups.Count,
                p?.Groups.Count(g => g.Pieces > 1)).ToLine());
            if (p is not null)
            {
                Console.Error.WriteLine(p.ToString());
            }
        }
        foreach (var v in inputs.Values)
        {
            v.Dispose();
        }
        return 0;
    }

    private static Dictionary<string, OrtValue> Inputs(CompareModel model, CompareArguments a, IEnumerable<InputInfo> metadata) =>
        model.IsTinyUnet ? Child.UnetInputs(a.Size / 8, a.Frames)
        : model.IsTinyDecoder ? Child.DecoderInputs(a.Size / 8, a.Frames)
        : RandomInputs.Create(metadata, model.Dims, a.DimDefault, a.Values, a.Seed);
}
