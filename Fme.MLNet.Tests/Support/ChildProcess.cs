using System.Diagnostics;

namespace Fme.MLNet.Tests.Support;

/// <summary>Runs the test assembly as a program (<see cref="ChildProgram"/>) in a fresh process and returns what it printed.</summary>
internal static class ChildProcess
{
    public static string Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(ChildProgram).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child process did not finish in {timeout}: {string.Join(' ', args)}");
        }
        var output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"the child process failed (exit code {process.ExitCode}):\n{output}");
        return output;
    }
}
