using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace Fme.MLNet.Cluster.Hosting;

/// <summary>
/// Grain storage in this process's memory, shared by every silo the process hosts: state outlives the silo that wrote
/// it, as it would in a database, which Orleans' own memory storage (held by grains on some silo) does not promise when a
/// silo stops. For tests and one machine; states are copied through the Orleans serializer and versioned like a database row.
/// </summary>
public sealed class SharedMemoryGrainStorage(Serializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, (byte[] Bytes, int Version)> Rows = new();

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Rows.TryGetValue(Key(stateName, grainId), out var row))
        {
            grainState.State = serializer.Deserialize<T>(row.Bytes);
            grainState.ETag = row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var bytes = serializer.SerializeToArray(grainState.State);
        var version = 1;
        Rows.AddOrUpdate(key, _ => Check(null, grainState.ETag, bytes, ref version), (_, old) => Check(old.Version, grainState.ETag, bytes, ref version));
        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Rows.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static (byte[], int) Check(int? stored, string? etag, byte[] bytes, ref int version)
    {
        var seen = etag is null ? (int?)null : int.Parse(etag, System.Globalization.CultureInfo.InvariantCulture);
        if (stored != seen)
        {
            throw new InconsistentStateException($"Version conflict: stored {stored?.ToString() ?? "none"}, written over {etag ?? "none"}.", stored?.ToString(), etag);
        }
        version = (stored ?? 0) + 1;
        return (bytes, version);
    }

    private static string Key(string stateName, GrainId grainId) => $"{grainId}/{stateName}";

    /// <summary>Registers it under <paramref name="name"/>.</summary>
    internal static void Register(ISiloBuilder silo, string name) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new SharedMemoryGrainStorage(sp.GetRequiredService<Serializer>()));
}
