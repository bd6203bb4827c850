using System.CommandLine;

var root = new RootCommand("Fme.MLNet: generate video from an image with Stable Video Diffusion through a streamlined ONNX executor.");
root.Subcommands.Add(Fme.Cli.GenerateCommand.Create());
root.Subcommands.Add(Fme.Cli.PlanCommand.Create());
root.Subcommands.Add(Fme.Cli.ExportTinyCommand.Create());
return root.Parse(args).Invoke();
