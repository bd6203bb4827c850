using System.CommandLine;
using Fme.MLNet.Models;

namespace Fme.Cli;

/// <summary>
/// <c>fme export-tiny (--output DIR | --cached) [--seed N] [--float16] [--preset tiny|svd|svd-xt]</c>: writes the generated
/// SVD model folder, tiny by default or at SVD's real widths.
/// </summary>
internal static class ExportTinyCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = "Folder to write the model set into (created if missing; existing files of the same names are replaced).",
        };
        var cached = new Option<bool>("--cached")
        {
            Description = "Write into the cache (~/.cache/fme-mlnet, one folder per settings) unless a valid copy is there; print its path.",
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights; the same seed writes byte-identical files.", DefaultValueFactory = _ => 0 };
        var float16 = new Option<bool>("--float16") { Description = "Float16 weights and arithmetic inside, float32 inputs and outputs." };
        var graphsOnly = new Option<bool>("--graphs-only")
        {
            Description = "With --output: write the graphs and configs with unfilled (sparse, zero) data files, in seconds; for fme plan.",
        };
        var preset = new Option<string>("--preset")
        {
            Description = "Widths: tiny (a few MB), svd or svd-xt (SVD's real widths, 2.3e9 random parameters, 4.6 GB with --float16; " +
                          "svd-xt differs only in its config's 25 frames).",
            DefaultValueFactory = _ => "tiny",
        };
        preset.AcceptOnlyFromAmong("tiny", "svd", "svd-xt");
        var command = new Command("export-tiny", "Write the generated SVD model set (random weights, SVD's topology) as a model folder.\n\n" +
            "Example:\n  fme export-tiny --output models/tiny --seed 3\n  fme export-tiny --preset svd --float16 --cached\n" +
            "  fme export-tiny --preset svd --float16 --graphs-only --output /tmp/svd-graphs && fme plan --model /tmp/svd-graphs")
        {
            output, cached, seed, float16, preset, graphsOnly,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(output) is null) == !result.GetValue(cached))
            {
                result.AddError("Give either --output DIR or --cached.");
            }
            if (result.GetValue(graphsOnly) && result.GetValue(cached))
            {
                result.AddError("--graphs-only writes to --output only, never to the cache.");
            }
        });
        command.SetAction(parse =>
        {
            var name = parse.GetValue(preset)!;
            var options = new TinySvdOptions
            {
                Seed = parse.GetValue(seed),
                Float16 = parse.GetValue(float16),
                Preset = name == "tiny" ? SvdSizePreset.Tiny : SvdSizePreset.Svd,
                NumFrames = name == "svd-xt" ? 25 : 14,
            };
            var folder = parse.GetValue(cached) ? TinySvd.EnsureCached(options)
                : parse.GetValue(graphsOnly) ? TinySvd.WriteGraphsOnly(parse.GetValue(output)!.FullName, options)
                : TinySvd.Write(parse.GetValue(output)!.FullName, options);
            Console.Out.Write(folder.Describe());
            return 0;
        });
        return command;
    }
}
