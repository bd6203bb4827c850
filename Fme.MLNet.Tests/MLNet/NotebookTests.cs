using System.Text.Json.Nodes;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.MLNet;

/// <summary>
/// Runs every code cell of examples/notebooks/generate-video.ipynb with the C# kernel of .NET Interactive, in a process of
/// its own (the notebook references the library's build output and its packages itself, as a user's notebook does), and
/// checks what the cells showed. In the collection of the other ML.NET tests so that, on two cores, they take turns
/// rather than slow each other down.
/// </summary>
[Collection(VideoTransformCollection.Name)]
public class NotebookTests
{
    [Fact]
    public async Task ExampleNotebook_RunsEveryCell_AndShowsTheGifAndThePlans()
    {
        var root = Repository.Root;
        var notebook = Path.Combine(root, "examples", "notebooks", "generate-video.ipynb");
        var runner = Path.Combine(root, "examples", "notebooks", "NotebookRunner", "bin", Repository.Configuration, "net10.0", "notebook-runner.dll");
        Assert.True(File.Exists(runner), $"the notebook runner is not built at {runner}");
        using var folder = new TempFolder();
        var executed = folder.File("executed.ipynb");

        var (code, output) = await Run(runner, notebook, "--output", executed, "--configuration", Repository.Configuration);

        Assert.True(code == 0, $"the notebook failed (exit code {code}):\n{output}");
        var codeCells = ((JsonArray)JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!).Count(c => c!["cell_type"]!.GetValue<string>() == "code");
        Assert.Contains($"{codeCells} cells ran", output);
        var outputs = ((JsonArray)JsonNode.Parse(File.ReadAllText(executed))!["cells"]!)
            .SelectMany(c => c!["outputs"] as JsonArray ?? [])
            .Select(o => o!.ToJsonString())
            .ToList();
        Assert.DoesNotContain(outputs, o => o.Contains("\"output_type\":\"error\""));
        // "R0lGODlh" is "GIF89a" in base64: the video is shown inline as an animated GIF.
        Assert.Contains(outputs, o => o.Contains("text/html") && o.Contains("data:image/gif;base64,R0lGODlh"));
        Assert.Contains(outputs, o => o.Contains("Streamlined plan for sample"));
        Assert.Contains(outputs, o => o.Contains("Streamlined plan for latent_sample"));
        Assert.Contains(outputs, o => o.Contains("ML.NET row: 4 frames of 64 x 64"));
    }


    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        var (code, stdout, stderr) = await DotnetProcess.Run(args, TimeSpan.FromMinutes(4));
        return (code, stdout + stderr);
    }
}
