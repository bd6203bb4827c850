using System.CommandLine;
using Fme.MLNet.Cluster.Hosting;
using Orleans.Configuration;

namespace Fme.ClusterHost;

/// <summary>The options every command shares: where membership and state live, and the cluster's name.</summary>
internal sealed class ConnectionOptions
{
    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "Npgsql connection string for membership and grain state (default: $FME_POSTGRES; without either, memory and localhost clustering on one machine).",
    };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "The cluster's name (default fme).", DefaultValueFactory = _ => "fme" };

    public Option<int> GatewayPort { get; } = new("--gateway-port") { Description = "Client gateway port (default 30000).", DefaultValueFactory = _ => 30000 };

    public void AddTo(Command command)
    {
        command.Options.Add(Postgres);
        command.Options.Add(ClusterId);
        command.Options.Add(GatewayPort);
    }

    public ClusterStorage Storage(ParseResult parse) =>
        new(parse.GetValue(Postgres) ?? Environment.GetEnvironmentVariable("FME_POSTGRES"));

    public void Configure(ClusterOptions options, ParseResult parse)
    {
        options.ClusterId = parse.GetValue(ClusterId)!;
        options.ServiceId = ClusterHosting.ServiceId;
    }
}
