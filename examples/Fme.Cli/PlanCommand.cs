using System.CommandLine;
using Fme.MLNet.Models;
using Fme.MLNet.Streamlining;

namespace Fme.Cli;

/// <summary>
/// <c>fme plan --model PATH --frames 14 --height 576 --width 1024 [--frame-chunks N] [--pixel-chunks N] [--memory-budget 8GB]</c>:
/// prints the streamlined plan of the UNet and the temporal decoder (a model folder) or of one .onnx file, with the
/// predicted peak activation memory unsliced and streamlined. Nothing is run.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "An SVD model folder, or one UNet / temporal decoder .onnx file.", Required = true };
        var frames = new Option<int>("--frames") { Description = "Frames.", DefaultValueFactory = _ => 14 };
        var height = new Option<int>("--height") { Description = "Frame height in pixels.", DefaultValueFactory = _ => 576 };
        var width = new Option<int>("--width") { Description = "Frame width in pixels.", DefaultValueFactory = _ => 1024 };
        var batch = new Option<int>("--batch") { Description = "UNet batch: 2 with classifier-free guidance.", DefaultValueFactory = _ => 2 };
        var json = new Option<bool>("--json") { Description = "Print the plans as JSON." };
        var streamline = new StreamlineArguments();
        var command = new Command("plan", "Print how the streamlined executor would cut the UNet and the decoder, and the predicted peak memory.\n\n" +
            "Example:\n  fme plan --model models/svd --frames 14 --height 576 --width 1024 --memory-budget 8GB")
        {
            model, frames, height, width, batch, json,
        };
        streamline.AddTo(command);
        command.SetAction(parse =>
        {
            var options = streamline.Read(parse);
            var (f, h, w, b) = (parse.GetValue(frames), parse.GetValue(height) / 8, parse.GetValue(width) / 8, parse.GetValue(batch));
            var path = parse.GetValue(model)!;
            var targets = Directory.Exists(path)
                ? [("unet", SvdModelFolder.Open(path).Unet.OnnxPath), ("vae_decoder", SvdModelFolder.Open(path).VaeDecoder.OnnxPath)]
                : new[] { (Path.GetFileName(path), path) };
            foreach (var (name, file) in targets)
            {
                using var session = StreamlinedSession.Create(file, options with { InputAxes = DecoderAxes });
                var plan = Plan(session, f, h, w, b);
                Console.Out.WriteLine(parse.GetValue(json) ? plan.ToJson() : $"== {name}: {file}\n{plan}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Input shapes by input name: a UNet (sample, timestep, ...) or a temporal decoder (latent_sample, num_frames).</summary>
    private static StreamlinedPlan Plan(StreamlinedSession session, int frames, int h, int w, int batch)
    {
        var inputs = session.InputMetadata;
        var shapes = new Dictionary<string, long[]>();
        var integers = new Dictionary<string, long[]>();
        foreach (var (name, meta) in inputs)
        {
            shapes[name] = name switch
            {
                "sample" when meta.Dimensions.Count == 5 => [batch, frames, meta.Dimensions[2] > 0 ? meta.Dimensions[2] : 8, h, w],
                "timestep" => meta.Dimensions.Count == 0 ? [] : [1],
                "encoder_hidden_states" => [batch, 1, meta.Dimensions[2] > 0 ? meta.Dimensions[2] : 1024],
                "added_time_ids" => [batch, 3],
                "latent_sample" => [frames, meta.Dimensions[1] > 0 ? meta.Dimensions[1] : 4, h, w],
                "num_frames" => meta.Dimensions.Count == 0 ? [] : [1],
                _ => throw new ArgumentException(
                    $"Input '{name}' ({meta}) is not a UNet or temporal decoder input this command knows; expected sample, timestep, " +
                    "encoder_hidden_states, added_time_ids (UNet) or latent_sample, num_frames (decoder)."),
            };
            if (name == "num_frames")
            {
                integers[name] = [frames];
            }
        }
        return session.GetPlan(shapes, integers);
    }

    /// <summary>A decoder's latent input is batch x frames.</summary>
    private static readonly IReadOnlyDictionary<string, AxisLabel[]> DecoderAxes =
        new Dictionary<string, AxisLabel[]> { ["latent_sample"] = [AxisLabel.Frames, AxisLabel.Channels, AxisLabel.Height, AxisLabel.Width] };
}
