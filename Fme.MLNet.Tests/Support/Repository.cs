using System.Reflection;

namespace Fme.MLNet.Tests.Support;

/// <summary>The checkout the tests run from, for the files they read or run as users do (README, examples).</summary>
internal static class Repository
{
    /// <summary>The folder holding <c>Fme.MLNet.sln</c>, above the test binaries.</summary>
    public static string Root { get; } = Find();

    /// <summary>The build configuration of the tests (Debug or Release), which the programs they run were built in.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Fme.MLNet.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No Fme.MLNet.sln above {AppContext.BaseDirectory}.");
    }
}
