using System.Diagnostics;
using System.Reflection;

namespace Fme.MLNet.Tests.Cli;

/// <summary>Runs the built <c>fme</c> command line in a process of its own, as a user would.</summary>
internal static class CliProcess
{
    private static readonly string Configuration =
        typeof(CliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string RepositoryRoot() => Support.Repository.Root;

    public static string Fme => Path.Combine(RepositoryRoot(), "examples", "Fme.Cli", "bin", Configuration, "net10.0", "fme.dll");

    /// <summary>Runs <c>fme</c> with <paramref name="args"/>; <paramref name="path"/> replaces the PATH when given.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(string[] args, string? path = null)
    {
        Assert.True(File.Exists(Fme), $"the command line is not built at {Fme}");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? Environment.ProcessPath ?? "dotnet";
        if (!Path.GetFileNameWithoutExtension(dotnet).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            dotnet = "dotnet";
        }
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Fme);
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
