using System.Diagnostics;

namespace Fme.MLNet.Tests.Support;

/// <summary>Runs a built program of the repository (<c>dotnet program.dll ...</c>) in a process of its own, as users do.</summary>
internal static class DotnetProcess
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/>; <paramref name="path"/> replaces the PATH when given. A
    /// run past <paramref name="timeout"/> is killed and reported with what it printed.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(IEnumerable<string> args, TimeSpan timeout, string? path = null)
    {
        // The host running the tests, so that the program gets the same runtime; a bare name where the tests run in-process.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath ?? "dotnet";
        if (!Path.GetFileNameWithoutExtension(dotnet).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            dotnet = "dotnet";
        }
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not finish in {timeout}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
