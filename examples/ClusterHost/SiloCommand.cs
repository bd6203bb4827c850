using System.CommandLine;
using System.Net;
using Fme.MLNet.Cluster.Hosting;
using Fme.MLNet.Cluster.Workers;
using Orleans.Configuration;

namespace Fme.ClusterHost;

/// <summary><c>fme-cluster silo</c>: one silo for this machine, its workers, and the status page.</summary>
internal static class SiloCommand
{
    public static Command Create()
    {
        var connection = new ConnectionOptions();
        var address = new Option<string>("--address") { Description = "The IP address other silos reach this one at (default 127.0.0.1; a machine's own address in a real cluster).", DefaultValueFactory = _ => "127.0.0.1" };
        var siloPort = new Option<int>("--silo-port") { Description = "Silo-to-silo port (default 11111).", DefaultValueFactory = _ => 11111 };
        var primaryPort = new Option<int?>("--primary-port") { Description = "Without PostgreSQL: the silo port of the first silo on this machine (default: --silo-port)." };
        var gpus = new Option<string?>("--gpus") { Description = "CUDA device ids, one worker each, e.g. 0,1,2,3 (default: none, CPU workers)." };
        var cpuWorkers = new Option<int>("--cpu-workers") { Description = "CPU workers when no GPU is given (default 1; 0 holds grains only).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime threads per CPU worker (default: the cores shared evenly)." };
        var httpPort = new Option<int>("--http-port") { Description = "Status page port (default 8080; 0 for none).", DefaultValueFactory = _ => 8080 };
        var probe = new Option<double>("--probe-seconds") { Description = "Membership probe timeout: a silo missing 3 probes is declared dead (default 5).", DefaultValueFactory = _ => 5 };
        var command = new Command("silo", "Run this machine's silo: one worker per GPU (or CPU workers), grains, and the status page.")
        {
            address, siloPort, primaryPort, gpus, cpuWorkers, threads, httpPort, probe,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var storage = connection.Storage(parse);
            if (storage.IsPostgres && await PostgresSchema.EnsureCreatedAsync(storage.PostgresConnectionString!, cancellation))
            {
                Console.WriteLine("Created the Orleans tables in the PostgreSQL database.");
            }
            var ip = IPAddress.Parse(parse.GetValue(address)!);
            var workers = new WorkerOptions
            {
                GpuIds = ParseIds(parse.GetValue(gpus)),
                CpuWorkers = parse.GetValue(cpuWorkers),
                CpuThreadsPerWorker = parse.GetValue(threads),
            };
            var port = parse.GetValue(siloPort);
            var gateway = parse.GetValue(connection.GatewayPort);
            var builder = WebApplication.CreateBuilder();
            builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning);
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o => connection.Configure(o, parse));
                silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(parse.GetValue(probe)));
                silo.UseFmeClustering(storage, port, gateway, parse.GetValue(primaryPort) ?? port);
                silo.Configure<EndpointOptions>(o =>
                {
                    (o.AdvertisedIPAddress, o.SiloPort, o.GatewayPort) = (ip, port, gateway);
                    // Loopback stays loopback (tests, one machine); a real address listens on every interface.
                    var listen = IPAddress.IsLoopback(ip) ? ip : IPAddress.Any;
                    o.SiloListeningEndpoint = new IPEndPoint(listen, port);
                    o.GatewayListeningEndpoint = new IPEndPoint(listen, gateway);
                });
                silo.AddFmeBatchScoring(storage, workers);
            });
            var http = parse.GetValue(httpPort);
            builder.WebHost.UseUrls(http > 0 ? $"http://{(IPAddress.IsLoopback(ip) ? ip : IPAddress.Any)}:{http}" : "http://127.0.0.1:0");
            var app = builder.Build();
            StatusPage.Map(app);
            await app.RunAsync(cancellation);
            return 0;
        });
        return command;
    }

    private static int[] ParseIds(string? text) => string.IsNullOrWhiteSpace(text) ? []
        : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, out var id) && id >= 0 ? id : throw new ArgumentException($"--gpus: '{s}' is not a device id (expected e.g. 0,1,2)."))];
}
