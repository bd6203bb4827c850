using System.CommandLine;
using Fme.MLNet.Models;

namespace Fme.Cli;

/// <summary><c>fme export-tiny --output DIR [--seed N] [--float16]</c>: writes the built-in tiny SVD model folder.</summary>
internal static class ExportTinyCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Folder to write the model set into (created if missing; existing files of the same names are replaced).",
            Required = true,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights; the same seed writes byte-identical files.", DefaultValueFactory = _ => 0 };
        var float16 = new Option<bool>("--float16") { Description = "Float16 weights and arithmetic inside, float32 inputs and outputs." };
        var command = new Command("export-tiny", "Write the built-in tiny SVD model set (random weights, SVD's topology) as a model folder.\n\n" +
            "Example:\n  fme export-tiny --output models/tiny --seed 3")
        {
            output, seed, float16,
        };
        command.SetAction(parse =>
        {
            var options = new TinySvdOptions { Seed = parse.GetValue(seed), Float16 = parse.GetValue(float16) };
            var folder = TinySvd.Write(parse.GetValue(output)!.FullName, options);
            Console.Out.Write(folder.Describe());
            return 0;
        });
        return command;
    }
}
