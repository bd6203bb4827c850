using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fme.MLNet.MLNet;

namespace Fme.MLNet.Cluster.Jobs;

/// <summary>
/// Deterministic job identity: the key is SHA-256 over the settings and the image's content hash, so the same image with
/// the same settings is the same job wherever it sits and whoever runs it; the output path and, when the settings leave
/// the seed open, the seed follow from the key.
/// </summary>
public static class JobKeys
{
    private const string KeyVersion = "fme-job-v1";

    // The same conventions as the ML.NET model file: camelCase names, enums by name.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The settings as JSON, without what belongs to the machine rather than the batch (GPU id, CPU fallback, threads)
    /// and with the pipeline's own column names, so that every worker reads the same text and the key does not depend on
    /// where a job runs.
    /// </summary>
    public static string SettingsJson(GenerateVideoFmeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var portable = options with
        {
            OutputColumnName = "Video", InputColumnName = "Image", GpuDeviceId = null, FallbackToCpu = null, IntraOpNumThreads = null,
        };
        return JsonSerializer.Serialize(portable, Json);
    }

    /// <summary>Reads what <see cref="SettingsJson"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not such settings.</exception>
    public static GenerateVideoFmeOptions ReadSettings(string json) =>
        JsonSerializer.Deserialize<GenerateVideoFmeOptions>(json, Json)
        ?? throw new JsonException("The batch settings are empty (JSON null).");

    /// <summary>The SHA-256 of a file's bytes, as lowercase hex.</summary>
    public static string ContentHash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>The job key of an image (by its content hash) under the given settings.</summary>
    public static string Key(string contentHash, string settingsJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{KeyVersion}\n{settingsJson}\n{contentHash}")));

    /// <summary>The seed of a job whose settings give none: the key's first 8 bytes, so a rerun makes the same noise.</summary>
    public static ulong SeedFor(string key) => BinaryPrimitives.ReadUInt64BigEndian(Convert.FromHexString(key.AsSpan(0, 16)));

    /// <summary>
    /// The video of job <paramref name="jobId"/> (a relative image path): the same relative folder and name under
    /// <paramref name="outputFolder"/>, with the key's first 12 hex digits, so other settings never overwrite it.
    /// </summary>
    public static string OutputPath(string outputFolder, string jobId, string key)
    {
        var folder = Path.GetDirectoryName(jobId) ?? "";
        return Path.GetFullPath(Path.Combine(outputFolder, folder, $"{Path.GetFileNameWithoutExtension(jobId)}.{key[..12]}.gif"));
    }

    /// <summary>The shard of a job: a stable hash of its id (FNV-1a over UTF-8, the same on every machine and run).</summary>
    public static int ShardOf(string jobId, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(jobId.Replace('\\', '/')))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return (int)(hash % (ulong)shardCount);
    }
}
