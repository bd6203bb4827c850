using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fme.MLNet.Rehash;

// The record has no public constructor (its two forms are made by WithInterval and WithSchedule), so System.Text.Json
// needs to be told how to read it; the converter also keeps a read value to the same checks as a constructed one.
[JsonConverter(typeof(JsonFormat))]
public sealed partial record StepRehashOptions
{
    /// <summary>
    /// Writes <c>{"fullStepInterval": 3, "depth": 1}</c> or <c>{"schedule": {...}, "depth": 1}</c> (names follow the
    /// serializer's naming policy; the schedule in <see cref="RehashSchedule"/>'s file format) and reads them back through
    /// <see cref="WithInterval"/> and <see cref="WithSchedule"/>. Anything else, including a property it does not know, is
    /// a <see cref="JsonException"/> saying what was wrong.
    /// </summary>
    internal sealed class JsonFormat : JsonConverter<StepRehashOptions>
    {
        private static readonly RehashSchedule.JsonFormat ScheduleFormat = new();

        public override StepRehashOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string interval = Name(nameof(FullStepInterval), options), schedule = Name(nameof(Schedule), options), depth = Name(nameof(Depth), options);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Bad($"expected an object with \"{interval}\" or \"{schedule}\", and \"{depth}\"; found {Found(ref reader)}");
            }
            int? readInterval = null, readDepth = null;
            RehashSchedule? readSchedule = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                if (name.Equals(interval, comparison))
                {
                    readInterval = reader.TokenType == JsonTokenType.Null ? null : Whole(ref reader, interval);
                }
                else if (name.Equals(schedule, comparison))
                {
                    readSchedule = reader.TokenType == JsonTokenType.Null ? null : ScheduleFormat.Read(ref reader, typeof(RehashSchedule), options);
                }
                else if (name.Equals(depth, comparison))
                {
                    readDepth = Whole(ref reader, depth);
                }
                else
                {
                    throw Bad($"unknown property \"{name}\"; expected \"{interval}\" or \"{schedule}\", and \"{depth}\"");
                }
            }
            if ((readInterval is null) == (readSchedule is null))
            {
                throw Bad(readInterval is null
                    ? $"neither \"{interval}\" nor \"{schedule}\"; expected one: {interval} or {schedule}"
                    : $"both \"{interval}\" and \"{schedule}\"; expected one, not both");
            }
            if (readInterval < 1)
            {
                throw Bad($"{interval} is {readInterval}; expected 1 or more (1 makes every step full)");
            }
            if (readDepth < 1)
            {
                throw Bad($"{depth} is {readDepth}; expected 1 or more (resolution levels that rehash steps compute)");
            }
            var made = readSchedule is null ? WithInterval(readInterval!.Value) : WithSchedule(readSchedule);
            return readDepth is { } d ? made with { Depth = d } : made;
        }

        public override void Write(Utf8JsonWriter writer, StepRehashOptions value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            if (value.Schedule is { } schedule)
            {
                writer.WritePropertyName(Name(nameof(Schedule), options));
                ScheduleFormat.Write(writer, schedule, options);
            }
            else
            {
                writer.WriteNumber(Name(nameof(FullStepInterval), options), value.FullStepInterval!.Value);
            }
            writer.WriteNumber(Name(nameof(Depth), options), value.Depth);
            writer.WriteEndObject();
        }

        private static string Name(string property, JsonSerializerOptions options) =>
            options.PropertyNamingPolicy?.ConvertName(property) ?? property;

        private static int Whole(ref Utf8JsonReader reader, string name) =>
            reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)
                ? value
                : throw Bad($"{name} must be a whole number; found {Found(ref reader)}");

        private static string Found(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => $"\"{reader.GetString()}\"",
            JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null when !reader.HasValueSequence =>
                Encoding.UTF8.GetString(reader.ValueSpan),
            var token => token.ToString(),
        };

        private static JsonException Bad(string why) => new($"Step Rehash options: {why}.");
    }
}
