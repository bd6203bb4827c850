using Npgsql;

namespace Fme.MLNet.Cluster.Tests;

/// <summary>
/// A fresh PostgreSQL database for one test, dropped afterwards. The server and a role that may create databases are
/// set up by <c>.ci/run</c>; <c>FME_TEST_POSTGRES</c> points elsewhere (default: role fme, password fme, on 127.0.0.1).
/// </summary>
internal sealed class PostgresDatabase : IDisposable
{
    private readonly string _admin;

    private PostgresDatabase(string admin, string name)
    {
        (_admin, Name) = (admin, name);
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// A new database, or null and why when the server cannot be used. With <c>FME_REQUIRE_POSTGRES=1</c> (set by
    /// <c>.ci/run</c>) an unusable server is an error instead, so CI never skips the test.
    /// </summary>
    public static PostgresDatabase? TryCreate(out string reason)
    {
        var admin = Environment.GetEnvironmentVariable("FME_TEST_POSTGRES") ?? "Host=127.0.0.1;Username=fme;Password=fme;Database=postgres";
        var name = $"fme_test_{Guid.NewGuid():N}"[..24];
        try
        {
            Execute(admin, $"CREATE DATABASE {name}");
            reason = "";
            return new PostgresDatabase(admin, name);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            reason = $"PostgreSQL is needed for this test and could not be used with '{admin}' (set FME_TEST_POSTGRES, or run the " +
                $"PostgreSQL steps of .ci/run: install, start, and a role fme with CREATEDB): {e.Message}";
            if (Environment.GetEnvironmentVariable("FME_REQUIRE_POSTGRES") == "1")
            {
                throw new InvalidOperationException(reason, e);
            }
            return null;
        }
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Execute(_admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
