using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fme.MLNet.Rehash;

// System.Text.Json writes a schedule inside other documents in the file format below, with the same checks on reading.
[JsonConverter(typeof(JsonFormat))]
public sealed partial class RehashSchedule
{
    private const string FormatName = "fme-rehash-schedule";
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The schedule as JSON: <c>{"format": "fme-rehash-schedule", "version": 1, "steps": 25, "full_steps": [0, ...],
    /// "deep_changes": [...]}</c> (the changes only for calibrated schedules).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(ToFile(), Indented);

    /// <summary>Reads a schedule written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from, for messages (a file path).</param>
    /// <exception cref="RehashException">The text is not such a schedule, or its steps do not fit together.</exception>
    public static RehashSchedule FromJson(string json, string source = "the schedule JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        ScheduleFile? file;
        try
        {
            file = JsonSerializer.Deserialize<ScheduleFile>(json);
        }
        catch (JsonException e)
        {
            throw new RehashException($"{source}: not valid JSON ({e.Message}); expected a rehash schedule written by RehashSchedule.Save.", e);
        }
        return FromFile(file, source);
    }

    /// <summary>Writes the schedule as JSON (<see cref="ToJson"/>) to a file.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllText(path, ToJson() + Environment.NewLine);
    }

    /// <summary>Reads a schedule file written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="RehashException">The file is not such a schedule.</exception>
    public static RehashSchedule Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Rehash schedule file not found: {full}.", full);
        }
        return FromJson(File.ReadAllText(full), full);
    }

    private ScheduleFile ToFile() => new(FormatName, FormatVersion, StepCount, FullSteps.ToArray(), DeepChanges?.ToArray());

    private static RehashSchedule FromFile(ScheduleFile? file, string source)
    {
        if (file is null || file.Format != FormatName || file.Version != FormatVersion || file.FullSteps is null)
        {
            throw new RehashException(
                $"{source}: expected a rehash schedule (\"format\": \"{FormatName}\", \"version\": {FormatVersion}, with \"steps\" and " +
                $"\"full_steps\"); found format {Quote(file?.Format)}, version {file?.Version.ToString() ?? "none"}" +
                (file?.FullSteps is null ? ", no full_steps." : "."));
        }
        try
        {
            return Create(file.Steps, file.FullSteps, file.DeepChanges, "deep_changes");
        }
        catch (ArgumentException e)
        {
            throw new RehashException($"{source}: {e.Message}", e);
        }
    }

    private static string Quote(string? s) => s is null ? "none" : $"\"{s}\"";

    private sealed record ScheduleFile(
        [property: JsonPropertyName("format")] string? Format,
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("steps")] int Steps,
        [property: JsonPropertyName("full_steps")] int[]? FullSteps,
        [property: JsonPropertyName("deep_changes")] double[]? DeepChanges);

    /// <summary>
    /// Reads and writes a schedule inside other JSON (a saved ML.NET model's options) in the schedule file's own format, so
    /// the checks of <see cref="FromJson"/> apply there too; a bad schedule is a <see cref="JsonException"/> saying why.
    /// </summary>
    internal sealed class JsonFormat : JsonConverter<RehashSchedule>
    {
        public override RehashSchedule Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            const string Source = "the rehash schedule";
            ScheduleFile? file;
            try
            {
                // The file's own options: its snake_case names stay as they are whatever the enclosing document's naming.
                file = JsonSerializer.Deserialize<ScheduleFile>(ref reader, Indented);
            }
            catch (JsonException e)
            {
                throw new JsonException($"{Source}: {e.Message}", e);
            }
            try
            {
                return FromFile(file, Source);
            }
            catch (RehashException e)
            {
                throw new JsonException(e.Message, e);
            }
        }

        public override void Write(Utf8JsonWriter writer, RehashSchedule value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToFile(), Indented);
    }
}
