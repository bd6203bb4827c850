using Fme.CommandLine;

namespace Fme.BatchScoring;

/// <summary>
/// <c>fme-batch INPUT OUTPUT [--format gif|png|mp4|webm] [--model DIR] [generation options]</c>: one video per image of
/// INPUT, written into OUTPUT. Run it again to resume: existing videos are skipped.
/// </summary>
public static class Program
{
    /// <summary>Runs the command line; returns the exit code (0 when every image is done or skipped, 1 when some failed, others for a user error: see ExitCodes).</summary>
    public static int Main(string[] args) => CommandRunner.Run(BatchCommand.Create(Console.Out, Console.Error), args);
}
