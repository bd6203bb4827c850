using Npgsql;

namespace Fme.MLNet.Cluster.Hosting;

/// <summary>
/// Creates the tables and queries Orleans' ADO.NET clustering and persistence need in a PostgreSQL database
/// (<c>Sql/orleans-postgresql.sql</c>, embedded), once: silos starting together take an advisory lock, and a database
/// that has them already is left alone.
/// </summary>
public static class PostgresSchema
{
    private const long LockKey = 0x464d452d4f524c; // any constant shared by every silo of the project

    /// <summary>The setup script.</summary>
    public static string Script
    {
        get
        {
            using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream("orleans-postgresql.sql")
                ?? throw new InvalidOperationException("The embedded PostgreSQL setup script is missing from the assembly.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Creates the schema unless it exists; true when this call created it.</summary>
    /// <exception cref="NpgsqlException">The database cannot be reached (the message names the host and database).</exception>
    public static async Task<bool> EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            throw new NpgsqlException($"Cannot connect to PostgreSQL database '{b.Database}' on {b.Host}:{b.Port} as '{b.Username}': {e.Message}", e);
        }
        await Execute(connection, $"SELECT pg_advisory_lock({LockKey})", cancellationToken);
        try
        {
            await using var check = new NpgsqlCommand("SELECT to_regclass('orleansquery') IS NOT NULL", connection);
            if ((bool)(await check.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var create = new NpgsqlCommand(Script, connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
