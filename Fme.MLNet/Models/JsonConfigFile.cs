using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fme.MLNet.Models;

/// <summary>Reads a JSON config of a model folder, with messages that name the file, the field, and what was expected.</summary>
internal sealed class JsonConfigFile
{
    private JsonConfigFile(string path, JsonObject root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    public JsonObject Root { get; }

    /// <summary>Reads the file; <paramref name="expectation"/> says in the message what the file should hold.</summary>
    /// <exception cref="ModelFolderException">The file is missing, not JSON, or not a JSON object.</exception>
    public static JsonConfigFile Read(string path, string expectation)
    {
        if (!File.Exists(path))
        {
            throw new ModelFolderException(path, $"missing config file; expected {expectation}.");
        }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(path, $"not valid JSON ({e.Message}); expected {expectation}.", e);
        }
        return node is JsonObject root
            ? new JsonConfigFile(path, root)
            : throw new ModelFolderException(path, $"expected a JSON object ({expectation}); found {Kind(node)}.");
    }

    /// <summary>A positive integer field; null when absent and <paramref name="required"/> is false.</summary>
    public int? Int(string field, bool required)
    {
        var node = Root[field];
        if (node is null)
        {
            return required ? throw Missing(field, "a positive integer") : null;
        }
        return AsPositiveInt(node) ?? throw Wrong(field, node, "a positive integer");
    }

    /// <summary>A required integer field within 1 to <paramref name="max"/>; the message gives the value and the range.</summary>
    public int IntInRange(string field, int max, string limitName)
    {
        var expected = $"an integer from 1 to {max} ({limitName})";
        var node = Root[field] ?? throw Missing(field, expected);
        return AsPositiveInt(node) is { } i && i <= max ? i : throw Wrong(field, node, expected);
    }

    /// <summary>The node's value when it is a positive integer that fits an int, else null.</summary>
    public static int? AsPositiveInt(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number &&
        e.TryGetInt32(out var i) && i > 0 ? i : null;

    /// <summary>A positive number field; null when absent and <paramref name="required"/> is false.</summary>
    public double? Number(string field, bool required)
    {
        var node = Root[field];
        if (node is null)
        {
            return required ? throw Missing(field, "a positive number") : null;
        }
        if (node is JsonValue v && v.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number &&
            e.GetDouble() is var d && d > 0 && double.IsFinite(d))
        {
            return d;
        }
        throw Wrong(field, node, "a positive number");
    }

    /// <summary>A required array of <paramref name="count"/> numbers, each within (min, max].</summary>
    public float[] Numbers(string field, int count, double min, double max)
    {
        var node = Root[field] ?? throw Missing(field, $"an array of {count} numbers");
        var expected = $"an array of {count} numbers in ({min}, {max}]";
        if (node is not JsonArray array || array.Count != count)
        {
            throw Wrong(field, node, expected);
        }
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            if (array[i] is not JsonValue v || !v.TryGetValue<JsonElement>(out var e) || e.ValueKind != JsonValueKind.Number ||
                e.GetDouble() is var d && !(d > min && d <= max))
            {
                throw Wrong(field, node, expected);
            }
            values[i] = (float)e.GetDouble();
        }
        return values;
    }

    /// <summary>A string field, or null when absent.</summary>
    public string? String(string field)
    {
        var node = Root[field];
        if (node is null)
        {
            return null;
        }
        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Wrong(field, node, "a string");
    }

    /// <summary>An error about a field that holds the wrong value.</summary>
    public ModelFolderException Wrong(string field, JsonNode? found, string expected) =>
        new(Path, $"field '{field}' is {found?.ToJsonString() ?? "null"}; expected {expected}.");

    private ModelFolderException Missing(string field, string expected) =>
        new(Path, $"field '{field}' is missing; expected {expected}.");

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => node.ToJsonString(),
    };
}
