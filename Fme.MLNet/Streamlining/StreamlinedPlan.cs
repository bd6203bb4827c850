using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fme.MLNet.Streamlining;

/// <summary>One operator group of a <see cref="StreamlinedPlan"/>.</summary>
/// <param name="Index">Position in execution order.</param>
/// <param name="Operators">Names of the ONNX nodes in the group (node type and index where a node has no name).</param>
/// <param name="Kind">What the cut axis stands for; <see cref="CutKind.None"/> when the group runs whole.</param>
/// <param name="CutTensor">A boundary tensor of the group and the axis it is cut along (null when whole).</param>
/// <param name="CutAxis">That axis.</param>
/// <param name="Pieces">Number of pieces.</param>
/// <param name="PredictedPeakBytes">Predicted activation bytes alive while the group runs.</param>
/// <param name="Inputs">Full tensors the group reads.</param>
/// <param name="Outputs">Full tensors the group writes.</param>
/// <param name="TwoPassNormalizations">Normalisations whose statistics are computed over the whole input first (exact).</param>
/// <param name="ApproximateNormalizations">Normalisations cut with per-piece statistics (only with approximate cuts allowed).</param>
public sealed record PlanGroup(
    int Index,
    IReadOnlyList<string> Operators,
    CutKind Kind,
    string? CutTensor,
    int? CutAxis,
    int Pieces,
    long PredictedPeakBytes,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<string> TwoPassNormalizations,
    IReadOnlyList<string> ApproximateNormalizations);

/// <summary>
/// How a model is run for one set of input shapes: the operator groups in order, how each is cut, and the predicted
/// peak activation memory unsliced and streamlined (weights excluded). A plain value: print it, compare it, or
/// serialise it with <see cref="ToJson"/>.
/// </summary>
/// <param name="InputShapes">The input shapes the plan was made for.</param>
/// <param name="Groups">Groups in execution order.</param>
/// <param name="PredictedPeakUnslicedBytes">Predicted peak of a plain run.</param>
/// <param name="PredictedPeakStreamlinedBytes">Predicted peak of the streamlined run.</param>
/// <param name="UnslicedReason">Why the model runs as one piece, when it does (for example an operator without a shape rule).</param>
public sealed record StreamlinedPlan(
    IReadOnlyDictionary<string, long[]> InputShapes,
    IReadOnlyList<PlanGroup> Groups,
    long PredictedPeakUnslicedBytes,
    long PredictedPeakStreamlinedBytes,
    string? UnslicedReason)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Predicted unsliced peak divided by predicted streamlined peak.</summary>
    public double PredictedReduction => PredictedPeakStreamlinedBytes == 0 ? 1 : (double)PredictedPeakUnslicedBytes / PredictedPeakStreamlinedBytes;

    /// <summary>The plan as indented JSON (enums as names).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a plan written by <see cref="ToJson"/>.</summary>
    public static StreamlinedPlan FromJson(string json) =>
        JsonSerializer.Deserialize<StreamlinedPlan>(json, Json) ?? throw new JsonException("The JSON holds no plan.");

    /// <summary>A readable table: one line per group, then the predicted peaks.</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Streamlined plan for {string.Join(", ", InputShapes.Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value)}]"))}");
        if (UnslicedReason is not null)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"Runs unsliced: {UnslicedReason}");
        }
        s.AppendLine("  #  cut     pieces   ops  peak        first operator -> last operator");
        foreach (var g in Groups)
        {
            var first = g.Operators.Count > 0 ? g.Operators[0] : "";
            var last = g.Operators.Count > 1 ? " -> " + g.Operators[^1] : "";
            var notes = g.TwoPassNormalizations.Count > 0 ? $"  [two-pass norm x{g.TwoPassNormalizations.Count}]" : "";
            notes += g.ApproximateNormalizations.Count > 0 ? $"  [APPROXIMATE norm x{g.ApproximateNormalizations.Count}]" : "";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"{g.Index,3}  {g.Kind.ToString().ToLowerInvariant(),-7} {g.Pieces,6} {g.Operators.Count,5}  {FormatBytes(g.PredictedPeakBytes),10}  {first}{last}{notes}");
        }
        s.AppendLine(CultureInfo.InvariantCulture,
            $"Predicted peak activations: unsliced {FormatBytes(PredictedPeakUnslicedBytes)}, streamlined {FormatBytes(PredictedPeakStreamlinedBytes)} " +
            $"({PredictedReduction:0.00}x less)");
        return s.ToString();
    }

    /// <summary>Bytes as B / KiB / MiB / GiB with two decimals.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var u = 0;
        while (value >= 1024 && u < units.Length - 1)
        {
            value /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.00} {units[u]}");
    }
}
