namespace Fme.MLNet.Cluster.Hosting;

/// <summary>
/// Where the cluster keeps membership and grain state: PostgreSQL (through Orleans' ADO.NET providers) for a real
/// cluster, or memory for tests and a single machine (state is then lost with the silo that holds it).
/// </summary>
/// <param name="PostgresConnectionString">An Npgsql connection string; null keeps everything in memory.</param>
public sealed record ClusterStorage(string? PostgresConnectionString)
{
    /// <summary>Memory storage and localhost clustering.</summary>
    public static ClusterStorage InMemory { get; } = new((string?)null);

    /// <summary>Whether this is PostgreSQL.</summary>
    public bool IsPostgres => PostgresConnectionString is not null;

    /// <summary>The ADO.NET invariant of Npgsql, as Orleans names it.</summary>
    public const string NpgsqlInvariant = "Npgsql";
}
