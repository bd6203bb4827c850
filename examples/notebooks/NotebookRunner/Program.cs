using System.Text.RegularExpressions;

namespace Fme.NotebookRunner;

/// <summary>
/// <c>notebook-runner NOTEBOOK.ipynb [--output EXECUTED.ipynb] [--configuration NAME]</c>: runs every code cell of a C#
/// Polyglot notebook in order, in the notebook's folder, as the notebook's C# kernel would; prints one line per cell and
/// stops at the first cell that fails (exit code 1). <c>--output</c> writes a copy with the outputs;
/// <c>--configuration</c> reads <c>#r</c> paths under <c>bin/Debug/</c> from <c>bin/NAME/</c> instead.
/// </summary>
internal static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args.Length % 2 == 0 || args[0].StartsWith('-'))
        {
            Console.Error.WriteLine("usage: notebook-runner NOTEBOOK.ipynb [--output EXECUTED.ipynb] [--configuration NAME]");
            return 2;
        }
        var options = Enumerable.Range(0, args.Length / 2).ToDictionary(i => args[1 + 2 * i], i => args[2 + 2 * i]);
        var notebook = NotebookFile.Read(Path.GetFullPath(args[0]));
        var configuration = options.GetValueOrDefault("--configuration", "Debug");
        var output = options.TryGetValue("--output", out var o) ? Path.GetFullPath(o) : null;

        // Relative paths in cells (#r, files) are relative to the notebook, as in Polyglot Notebooks.
        Directory.SetCurrentDirectory(Path.GetDirectoryName(notebook.Path)!);
        using var executor = new CellExecutor();
        var failed = false;
        foreach (var cell in notebook.Cells)
        {
            if (cell.Kernel is not ("csharp" or "C#"))
            {
                Console.WriteLine($"cell {cell.Number}: FAILED: it uses kernel '{cell.Kernel}'; this runner has the C# kernel only");
                failed = true;
                break;
            }
            var result = await executor.RunAsync(Prepare(cell.Source, configuration));
            cell.SetOutputs(cell.Number, result.Outputs);
            var kinds = string.Join(", ", result.Outputs.Select(Describe).Distinct());
            Console.WriteLine(result.Succeeded
                ? $"cell {cell.Number}: ok in {result.Elapsed.TotalSeconds:0.0} s{(kinds.Length > 0 ? $" ({kinds})" : "")}"
                : $"cell {cell.Number}: FAILED in {result.Elapsed.TotalSeconds:0.0} s: {result.Error}");
            if (!result.Succeeded)
            {
                failed = true;
                break;
            }
        }
        if (output is not null)
        {
            notebook.Save(output);
        }
        Console.WriteLine(failed ? "notebook failed" : $"{notebook.Cells.Count} cells ran");
        return failed ? 1 : 0;
    }

    /// <summary>Drops a leading <c>#!csharp</c> (a cell magic for the notebook's composite kernel) and points
    /// <c>#r</c> paths at the build configuration asked for.</summary>
    private static string Prepare(string source, string configuration)
    {
        source = CellMagic().Replace(source, "");
        return configuration == "Debug" ? source : DebugReference().Replace(source, $"$1/bin/{configuration}/");
    }

    private static string Describe(System.Text.Json.Nodes.JsonObject output) =>
        output["data"] is System.Text.Json.Nodes.JsonObject data ? string.Join("+", data.Select(kv => kv.Key)) : output["output_type"]!.GetValue<string>();

    [GeneratedRegex(@"\A\s*#!(csharp|c#)[ \t]*\r?\n", RegexOptions.IgnoreCase)]
    private static partial Regex CellMagic();

    [GeneratedRegex(@"(?m)(^#r\s+""[^""\n]*?)/bin/Debug/")]
    private static partial Regex DebugReference();
}
