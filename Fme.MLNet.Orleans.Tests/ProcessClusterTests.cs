using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>
/// Three silo processes on 127.0.0.1 (distinct ports) with membership and state in PostgreSQL; one is killed with
/// SIGKILL in the middle of a batch and started again. The batch must end with every video in place, valid, and
/// committed exactly once.
/// </summary>
public sealed class ProcessClusterTests : IDisposable
{
    private const int Silos = 3, Images = 9;
    private readonly TempFolder _temp = new();
    private readonly PostgresDatabase? _postgres;
    private readonly string _skipReason;
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..16];
    private readonly List<HostProcess> _processes = [];

    public ProcessClusterTests() => _postgres = PostgresDatabase.TryCreate(out _skipReason);

    private PostgresDatabase Database => _postgres ?? throw new InvalidOperationException(_skipReason);

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
        _postgres?.Dispose();
        _temp.Dispose();
    }

    private Dictionary<string, string> Environment => new() { ["FME_POSTGRES"] = Database.ConnectionString };

    private HostProcess StartSilo(int index)
    {
        var silo = HostProcess.Start(Environment, "silo", "--cluster-id", _clusterId, "--address", "127.0.0.1",
            "--silo-port", $"{22111 + index}", "--gateway-port", $"{32000 + index}", "--http-port", $"{18280 + index}",
            "--cpu-workers", "1", "--threads", "1", "--probe-seconds", "1");
        _processes.Add(silo);
        return silo;
    }

    [SkippableFact]
    public async Task SilosInPostgres_OneKilledAndRestarted_TheBatchCompletesWithEveryVideoOnce()
    {
        Skip.If(_postgres is null, _skipReason);
        var input = _temp.Sub("in");
        var output = _temp.Sub("out");
        TestImages.WriteRandom(input, Images, seed: 41);
        var silos = Enumerable.Range(0, Silos).Select(StartSilo).ToArray();
        using var client = await Connect(silos);
        var batch = client.Services.GetRequiredService<IClusterClient>().GetGrain<IBatchGrain>("killed-silo");

        var (code, said) = await HostProcess.Run(Environment, "submit", input, output, "--batch-id", "killed-silo",
            "--cluster-id", _clusterId, "--shards", "3", "--lease-seconds", "5", "--frames", $"{TinySettings.Frames}");
        Assert.True(code == 0, said);
        Assert.Contains($"Submitted batch killed-silo: {Images} jobs ({Images} new) in 3 shards.", said);

        await WithSiloOutput(InProcessClusterTests.WaitFor(batch, p => p.Done >= 3, TimeSpan.FromSeconds(400)));
        silos[1].KillHard();
        var restarted = StartSilo(1);
        var progress = await WithSiloOutput(InProcessClusterTests.WaitFor(batch, p => p.IsFinished, TimeSpan.FromSeconds(400)));

        Assert.True(progress.Done == Images, $"{progress}\n--- restarted silo:\n{restarted.Output}");
        var finished = await batch.GetFinished();
        Assert.Equal(Images, finished.Count);
        Assert.All(finished, j => Assert.Equal(1, j.Commits));
        var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
        Assert.Equal(finished.Select(j => j.OutputPath).Order(), files.Order()); // none missing, none extra, no temporary file
        foreach (var file in files)
        {
            TestImages.AssertVideo(file, TinySettings.Frames, TinySettings.Size, TinySettings.Size);
        }

        (code, said) = await HostProcess.Run(Environment, "progress", "killed-silo", "--cluster-id", _clusterId);
        Assert.True(code == 0, said);
        Assert.Contains($"{Images} done (0 found existing), 0 running, 0 failed, 0 pending", said);

        await StatusPageShowsEveryPoster("killed-silo", Images);

        // A second batch cancelled at once: nothing is left pending or running, and no job is handed out after.
        (code, said) = await HostProcess.Run(Environment, "submit", input, _temp.Sub("cancelled"), "--batch-id", "cancelled",
            "--cluster-id", _clusterId, "--frames", $"{TinySettings.Frames}");
        Assert.True(code == 0, said);
        (code, said) = await HostProcess.Run(Environment, "cancel", "cancelled", "--cluster-id", _clusterId);
        Assert.True(code == 0, said);
        Assert.Contains("Cancelled batch cancelled.", said);
        var cancelled = client.Services.GetRequiredService<IClusterClient>().GetGrain<IBatchGrain>("cancelled");
        var stopped = await cancelled.GetProgress();
        Assert.True(stopped.IsCancelled && stopped.IsFinished && stopped.Cancelled > 0, stopped.ToString());
        Assert.Equal(Images, stopped.Done + stopped.Cancelled);
        // Only the jobs running at the cancel (one per worker at most) may still report done: their output is in place.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var later = await cancelled.GetProgress();
        Assert.InRange(later.Done, stopped.Done, stopped.Done + Silos);
        Assert.Equal((0, 0, Images), (later.Pending, later.Running, later.Done + later.Cancelled));
        (code, said) = await HostProcess.Run(Environment, "progress", "cancelled", "--cluster-id", _clusterId);
        Assert.True(code == 0, said);
        Assert.Contains("batch cancelled (cancelled):", said);
    }

    /// <summary>
    /// The status page of the restarted silo, rendered by headless Chromium: the batch's progress, and every poster frame
    /// decoded by the browser at the video's size (the page marks each image once loaded).
    /// </summary>
    private static async Task StatusPageShowsEveryPoster(string batchId, int videos)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Skip.If(chromium is null && System.Environment.GetEnvironmentVariable("FME_REQUIRE_CHROMIUM") != "1",
            "The cluster checks passed; the status page check needs Chromium (Debian package chromium, installed by .ci/run).");
        Assert.True(chromium is not null, "FME_REQUIRE_CHROMIUM=1 but no /usr/bin/chromium.");
        var start = new System.Diagnostics.ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList = { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=10000", "--dump-dom", "http://127.0.0.1:18280/" },
        };
        using var browser = System.Diagnostics.Process.Start(start)!;
        var errors = browser.StandardError.ReadToEndAsync();
        var dom = await browser.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await browser.WaitForExitAsync(timeout.Token);
        var context = $"{dom}\n--- chromium:\n{await errors}";
        Assert.Contains($"data-batch=\"{batchId}\"", dom);
        Assert.Contains($"<td class=\"done\">{videos}</td>", dom);
        var decoded = System.Text.RegularExpressions.Regex.Matches(dom, "data-decoded=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(decoded.Count(d => d == $"{TinySettings.Size}x{TinySettings.Size}") == videos, context);
    }

    /// <summary>A wait whose failure carries what the silos logged.</summary>
    private async Task<T> WithSiloOutput<T>(Task<T> wait)
    {
        try
        {
            return await wait;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var logs = string.Join("\n", _processes.Select((p, i) => $"--- silo process {i}:\n{p.Output}"));
            throw new TimeoutException($"{e.Message}\n{logs}", e);
        }
    }

    /// <summary>An Orleans client of the test's cluster, once every silo answers its status page.</summary>
    private async Task<IHost> Connect(HostProcess[] silos)
    {
        using var http = new HttpClient();
        for (var i = 0; i < silos.Length; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                Assert.False(silos[i].HasExited, $"silo {i} exited:\n{silos[i].Output}");
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{18280 + i}/")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"silo {i} did not start:\n{silos[i].Output}");
                await Task.Delay(300);
            }
        }
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_clusterId, ClusterHosting.ServiceId));
            c.UseFmeClustering(new ClusterStorage(Database.ConnectionString), 0);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
