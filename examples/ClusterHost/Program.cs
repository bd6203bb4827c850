using System.CommandLine;

namespace Fme.ClusterHost;

/// <summary>
/// <c>fme-cluster silo</c> runs one silo per machine (one worker per GPU, or CPU workers) with a status page;
/// <c>submit</c>, <c>progress</c> and <c>cancel</c> talk to the cluster as clients.
/// </summary>
public static class Program
{
    /// <summary>Runs the command line; returns its exit code.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("Batch scoring with Stable Video Diffusion on an Orleans cluster: one silo per machine, one worker per GPU.");
        root.Subcommands.Add(SiloCommand.Create());
        root.Subcommands.Add(ClientCommands.Submit());
        root.Subcommands.Add(ClientCommands.Progress());
        root.Subcommands.Add(ClientCommands.Cancel());
        return root.Parse(args).Invoke();
    }
}
