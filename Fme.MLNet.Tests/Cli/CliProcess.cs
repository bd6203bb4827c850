using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Cli;

/// <summary>Runs the built <c>fme</c> command line in a process of its own, as a user would.</summary>
internal static class CliProcess
{
    public static string RepositoryRoot() => Repository.Root;

    public static string Fme => Path.Combine(RepositoryRoot(), "examples", "Fme.Cli", "bin", Repository.Configuration, "net10.0", "fme.dll");

    /// <summary>Runs <c>fme</c> with <paramref name="args"/>; <paramref name="path"/> replaces the PATH when given.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(string[] args, string? path = null)
    {
        Assert.True(File.Exists(Fme), $"the command line is not built at {Fme}");
        return await DotnetProcess.Run([Fme, .. args], TimeSpan.FromMinutes(3), path);
    }
}
