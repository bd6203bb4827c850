using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Fme.NotebookRunner;

/// <summary>What one cell did: whether it succeeded, its outputs as nbformat JSON, and how long it took.</summary>
internal sealed record CellResult(bool Succeeded, string? Error, IReadOnlyList<JsonObject> Outputs, TimeSpan Elapsed);

/// <summary>
/// Runs C# cells one after another in one kernel, set up as Polyglot Notebooks sets up its C# kernel: <c>#r "nuget: ..."</c>
/// restores packages, <c>#r "path.dll"</c> references an assembly, and <c>display</c> / <c>HTML</c> are at hand.
/// </summary>
internal sealed class CellExecutor : IDisposable
{
    private readonly CSharpKernel _kernel;

    public CellExecutor()
    {
        _kernel = new CSharpKernel()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers();
    }

    public async Task<CellResult> RunAsync(string code)
    {
        var clock = Stopwatch.StartNew();
        var result = await _kernel.SendAsync(new SubmitCode(code));
        var outputs = new List<JsonObject>();
        string? error = null;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case StandardOutputValueProduced or StandardErrorValueProduced:
                    var stream = (DisplayEvent)e;
                    outputs.Add(new JsonObject
                    {
                        ["output_type"] = "stream",
                        ["name"] = e is StandardOutputValueProduced ? "stdout" : "stderr",
                        ["text"] = string.Concat(stream.FormattedValues.Select(v => v.Value)),
                    });
                    break;
                case ReturnValueProduced value:
                    outputs.Add(Data("execute_result", value.FormattedValues));
                    break;
                case DisplayEvent display:
                    outputs.Add(Data("display_data", display.FormattedValues));
                    break;
                case CommandFailed failed:
                    error = failed.Message;
                    outputs.Add(new JsonObject
                    {
                        ["output_type"] = "error",
                        ["ename"] = "CommandFailed",
                        ["evalue"] = failed.Message,
                        ["traceback"] = new JsonArray(),
                    });
                    break;
            }
        }
        return new CellResult(error is null, error, outputs, clock.Elapsed);
    }

    private static JsonObject Data(string kind, IEnumerable<FormattedValue> values)
    {
        var data = new JsonObject();
        foreach (var value in values)
        {
            data[value.MimeType] = value.Value;
        }
        var output = new JsonObject { ["output_type"] = kind, ["data"] = data, ["metadata"] = new JsonObject() };
        if (kind == "execute_result")
        {
            output["execution_count"] = 1;
        }
        return output;
    }

    public void Dispose() => _kernel.Dispose();
}
