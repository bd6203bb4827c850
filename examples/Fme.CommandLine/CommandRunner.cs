using System.CommandLine;
using Fme.MLNet.Imaging;
using Fme.MLNet.Models;
using Fme.MLNet.Pipelines;

namespace Fme.CommandLine;

/// <summary>
/// Runs a command line so that a user's mistake reads as one or two lines (what is wrong, what to do) and a distinct exit
/// code (<see cref="ExitCodes"/>); the stack trace is printed only with <c>--verbose</c>.
/// </summary>
public static class CommandRunner
{
    /// <summary>The option that asks for full error reports; recursive, so every subcommand takes it.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "On an error, print its full report (stack trace included).", Recursive = true };

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    public static int Run(RootCommand root, string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        if (!root.Options.Contains(Verbose))
        {
            root.Options.Add(Verbose);
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors.Take(2))
            {
                error.WriteLine($"error: {problem.Message}");
            }
            error.WriteLine($"Run '{CommandPath(parse)} --help' for the options and an example.");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error });
        }
        catch (Exception e)
        {
            var (code, hint) = Classify(e);
            error.WriteLine($"error: {Message(e)}");
            if (hint is not null)
            {
                error.WriteLine(hint);
            }
            if (parse.GetValue(Verbose))
            {
                error.WriteLine(e.ToString());
            }
            else if (code == ExitCodes.Internal)
            {
                error.WriteLine("This looks like a fault rather than a mistake in the command; run again with --verbose for the full report.");
            }
            return code;
        }
    }

    /// <summary>The exit code of an exception and what to tell the user to do.</summary>
    public static (int Code, string? Hint) Classify(Exception e) => e switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, null),
        FfmpegNotFoundException => (ExitCodes.FfmpegMissing, null),
        OutputNotWritableException => (ExitCodes.OutputNotWritable, "Choose an output in a folder you can write to."),
        ModelFolderException => (ExitCodes.BadModel, "Check the folder against the README's 'Model folders' section (fme export-tiny writes a valid one)."),
        ExecutionProviderException => (ExitCodes.NoGpu, "Install CUDA 13 and cuDNN 9, or leave out --gpu to run on the CPU."),
        FileNotFoundException or DirectoryNotFoundException => (ExitCodes.BadInput, "Check the path."),
        InvalidDataException or ImageSizeException => (ExitCodes.BadInput, "Use a PNG, JPEG, BMP, GIF, TIFF or WebP image within the size limits."),
        UnauthorizedAccessException => (ExitCodes.OutputNotWritable, "Choose an output in a folder you can write to."),
        ArgumentException => (ExitCodes.Usage, "Change the option named above; --help lists the ranges."),
        _ => (ExitCodes.Internal, null),
    };

    /// <summary>The message without .NET's "(Parameter 'x')" and "Actual value was" tails, which repeat what it says.</summary>
    private static string Message(Exception e)
    {
        var message = e is OperationCanceledException ? "stopped." : e.Message;
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Split('\n')[0].Trim();
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? parse.RootCommandResult.Command.Name : result.Command.Name);
        }
        return string.Join(' ', names);
    }
}
