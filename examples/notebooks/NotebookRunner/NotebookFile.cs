using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fme.NotebookRunner;

/// <summary>
/// A Jupyter notebook (.ipynb, nbformat 4) as Polyglot Notebooks writes it: its code cells with their kernel names, and
/// a way to write a copy with each cell's outputs filled in.
/// </summary>
internal sealed class NotebookFile
{
    private readonly JsonObject _root;

    private NotebookFile(string path, JsonObject root)
    {
        Path = path;
        _root = root;
        var defaultKernel = root["metadata"]?["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>() ?? "csharp";
        Cells = (root["cells"] as JsonArray ?? throw Invalid(path, "it has no cells array"))
            .OfType<JsonObject>()
            .Where(c => c["cell_type"]?.GetValue<string>() == "code")
            .Select((cell, i) => new CodeCell(i + 1, KernelOf(cell) ?? defaultKernel, Source(cell), cell))
            .ToList();
    }

    public string Path { get; }

    public IReadOnlyList<CodeCell> Cells { get; }

    public static NotebookFile Read(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) is JsonObject root
                ? new NotebookFile(path, root)
                : throw Invalid(path, "it is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"it is not valid JSON ({e.Message})");
        }
    }

    /// <summary>Writes the notebook with the outputs recorded on its cells.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    private static string? KernelOf(JsonObject cell) =>
        cell["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
        ?? cell["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>();

    private static string Source(JsonObject cell) => cell["source"] switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    private static InvalidDataException Invalid(string path, string why) => new($"'{path}' is not a notebook: {why}.");
}

/// <summary>One code cell: its number among the code cells (from 1), its kernel and its source.</summary>
internal sealed record CodeCell(int Number, string Kernel, string Source, JsonObject Json)
{
    /// <summary>Records what running the cell produced, as nbformat outputs.</summary>
    public void SetOutputs(int executionCount, IEnumerable<JsonObject> outputs)
    {
        Json["execution_count"] = executionCount;
        Json["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray());
    }
}
