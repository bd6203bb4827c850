using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Fme.MLNet.Cluster.Hosting;

/// <summary>Wiring for silos and clients of a batch-scoring cluster.</summary>
public static class ClusterHosting
{
    /// <summary>The Orleans service id of batch scoring: grain state is stored under it, so every silo and client uses it.</summary>
    public const string ServiceId = "fme-batch-scoring";

    /// <summary>The grain storage the batch grains use, and the silo's workers.</summary>
    public static ISiloBuilder AddFmeBatchScoring(this ISiloBuilder silo, ClusterStorage storage, WorkerOptions workers)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.IsPostgres)
        {
            silo.AddAdoNetGrainStorage(StorageNames.Jobs, o =>
            {
                o.Invariant = ClusterStorage.NpgsqlInvariant;
                o.ConnectionString = storage.PostgresConnectionString;
            });
        }
        else
        {
            SharedMemoryGrainStorage.Register(silo, StorageNames.Jobs);
        }
        silo.Services.AddSingleton(workers);
        silo.Services.AddSingleton<WorkerService>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
        return silo;
    }

    /// <summary>
    /// Membership in PostgreSQL, or localhost clustering (one machine; the ports say where this silo and the first one
    /// listen) for in-memory storage. With PostgreSQL the host sets the endpoints (<c>EndpointOptions</c>).
    /// </summary>
    public static ISiloBuilder UseFmeClustering(this ISiloBuilder silo, ClusterStorage storage, int siloPort, int gatewayPort, int primarySiloPort)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (storage.IsPostgres)
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterStorage.NpgsqlInvariant;
                o.ConnectionString = storage.PostgresConnectionString;
            });
        }
        else
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, primarySiloPort));
        }
        return silo;
    }

    /// <summary>A client of the same cluster: PostgreSQL membership, or the localhost gateway at <paramref name="gatewayPort"/>.</summary>
    public static IClientBuilder UseFmeClustering(this IClientBuilder client, ClusterStorage storage, int gatewayPort)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.IsPostgres
            ? client.UseAdoNetClustering(o =>
            {
                o.Invariant = ClusterStorage.NpgsqlInvariant;
                o.ConnectionString = storage.PostgresConnectionString;
            })
            : client.UseLocalhostClustering(gatewayPort);
    }
}
