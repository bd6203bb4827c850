using System.CommandLine;
using Fme.CommandLine;

var root = new RootCommand("Fme.MLNet: generate video from an image with Stable Video Diffusion through a streamlined ONNX executor.\n\n" +
    "Example:\n  fme generate --image examples/sample.png --output out.mp4");
root.Subcommands.Add(Fme.Cli.GenerateCommand.Create());
root.Subcommands.Add(Fme.Cli.PlanCommand.Create());
root.Subcommands.Add(Fme.Cli.ExportTinyCommand.Create());
return CommandRunner.Run(root, args);
