using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>A <c>fme-cluster</c> process (examples/ClusterHost, built with the tests), its output kept for failure messages.</summary>
internal sealed class HostProcess : IDisposable
{
    private static readonly string Configuration =
        typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The host's entry assembly.</summary>
    public static string Dll
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                var dll = Path.Combine(folder.FullName, "examples", "ClusterHost", "bin", Configuration, "net10.0", "fme-cluster.dll");
                if (File.Exists(dll))
                {
                    return dll;
                }
            }
            throw new FileNotFoundException($"examples/ClusterHost is not built (no bin/{Configuration}/net10.0/fme-cluster.dll above {AppContext.BaseDirectory}).");
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => new(args, environment);

    /// <summary>Runs a command to its end; returns the exit code and output.</summary>
    public static async Task<(int Code, string Output)> Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var host = new HostProcess(args, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await host._process.WaitForExitAsync(timeout.Token);
        host._process.WaitForExit(); // drains the redirected output
        return (host._process.ExitCode, host.Output);
    }

    /// <summary>SIGKILL: the process gets no chance to release its leases or leave the cluster.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
