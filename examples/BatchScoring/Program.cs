using System.CommandLine;

namespace Fme.BatchScoring;

/// <summary>
/// <c>fme-batch INPUT OUTPUT [--model DIR] [--width W] [--height H] [--steps N] [--frames N] [--seed S]</c>: one GIF
/// per image of INPUT, written into OUTPUT. Run it again to resume: existing GIFs are skipped.
/// </summary>
public static class Program
{
    /// <summary>Runs the command line; returns the exit code (0 when every image is done or skipped, 1 when some failed).</summary>
    public static int Main(string[] args) => BatchCommand.Create(Console.Out, Console.Error).Parse(args).Invoke();
}
