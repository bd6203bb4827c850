using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fme.MLNet.Imaging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Fme.MLNet.MLNet;

/// <summary>
/// A model that holds <see cref="GenerateVideoFmeTransformer"/>s, as one zip file: <c>fme-model.json</c> lists the parts
/// in order; runs of ML.NET's own transformers are saved by <c>mlContext.Model.Save</c> as inner zip entries (the first one
/// also carries the input schema), and each video transform is saved as its options.
/// </summary>
internal static class FmeModelFile
{
    public const string Format = "fme-mlnet-model";
    public const int Version = 2;
    /// <summary>The version written when no model folder is embedded (what readers before embedding could read).</summary>
    private const int PlainVersion = 1;
    private const string EmbeddedPrefix = "model-folders/";
    private const string ManifestEntry = "fme-model.json";
    private const string MLNetKind = "mlnet";
    private const string VideoKind = "generate-video-fme";

    // Web defaults: camelCase names, read case-insensitively; enums (axis labels) by name.
    private static readonly JsonSerializerOptions Json =
        new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string path, bool embedModelFolders = false)
    {
        var embedded = new List<(string Prefix, string Folder)>();
        var parts = new List<Part>();
        var entries = new List<(string Name, byte[] Bytes)>();
        var pending = new List<ITransformer>();
        void FlushMLNet(bool force)
        {
            if (pending.Count == 0 && !force)
            {
                return;
            }
            using var stream = new MemoryStream();
            catalog.Save(new TransformerChain<ITransformer>(pending.ToArray()), entries.Count == 0 ? inputSchema : null, stream);
            var name = $"mlnet-{entries.Count}.zip";
            entries.Add((name, stream.ToArray()));
            parts.Add(new Part(MLNetKind, name, null, null));
            pending.Clear();
        }
        foreach (var transformer in Flatten(model))
        {
            if (transformer is GenerateVideoFmeTransformer video)
            {
                FlushMLNet(force: entries.Count == 0);
                // The seed actually used, so that the loaded model makes the same videos.
                var options = video.Options with { Generation = video.Options.Generation with { Seed = video.Seed } };
                string? prefix = null;
                if (embedModelFolders && options.ModelFolder is { } folder)
                {
                    prefix = $"{EmbeddedPrefix}{embedded.Count}/";
                    embedded.Add((prefix, EmbeddedModelFolder.Check(folder)));
                }
                parts.Add(new Part(VideoKind, null, options, prefix));
            }
            else
            {
                pending.Add(transformer);
            }
        }
        FlushMLNet(force: entries.Count == 0);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var manifest = zip.CreateEntry(ManifestEntry).Open())
            {
                JsonSerializer.Serialize(manifest, new Manifest(Format, embedded.Count > 0 ? Version : PlainVersion, parts), Json);
            }
            foreach (var (prefix, folder) in embedded)
            {
                EmbeddedModelFolder.Write(zip, prefix, folder);
            }
            foreach (var (name, bytes) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(bytes);
            }
        });
    }

    public static TransformerChain<ITransformer> Load(ModelOperationsCatalog catalog, IHostEnvironment env, string path, out DataViewSchema? inputSchema)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model file '{path}' was not found.", path);
        }
        inputSchema = null;
        var made = new List<ITransformer>();
        try
        {
            using var zip = OpenZip(path);
            var manifest = ReadManifest(zip, path);
            foreach (var part in manifest.Parts)
            {
                if (part is { Kind: VideoKind, Options: { } saved })
                {
                    var options = part.EmbeddedFolder is { } prefix
                        ? saved with { ModelFolder = EmbeddedModelFolder.Extract(zip, prefix, path) }
                        : saved;
                    CheckRehash(options, path);
                    if (options.ModelFolder is { } folder && !Directory.Exists(folder))
                    {
                        throw new DirectoryNotFoundException(
                            $"Model file '{path}' uses the model folder '{folder}' (video column '{options.OutputColumnName}'), which does not exist. " +
                            "SaveFme keeps the folder's path, not its files: put the folder there, or save the model with embedModelFolders: true.");
                    }
                    made.Add(new GenerateVideoFmeTransformer(env, options));
                }
                else if (part is { Kind: MLNetKind, Entry: { } name })
                {
                    var entry = zip.GetEntry(name) ?? throw Invalid(path, $"the manifest names entry '{name}', which the file does not hold");
                    using var copy = new MemoryStream();
                    using (var source = entry.Open())
                    {
                        source.CopyTo(copy);
                    }
                    copy.Position = 0;
                    var loaded = LoadMLNet(catalog, copy, path, name, out var schema);
                    inputSchema ??= schema;
                    made.Add(loaded);
                }
                else
                {
                    throw Invalid(path, $"part of kind '{part.Kind}' is not one this version reads ({MLNetKind} with an entry, {VideoKind} with options)");
                }
            }
            return new TransformerChain<ITransformer>(made.ToArray());
        }
        catch
        {
            foreach (var transformer in made)
            {
                (transformer as IDisposable)?.Dispose();
            }
            throw;
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];

    // ML.NET reads its part as a zip of its own; what it throws for a damaged one names neither file nor entry.
    private static ITransformer LoadMLNet(ModelOperationsCatalog catalog, Stream entry, string path, string name, out DataViewSchema schema)
    {
        try
        {
            return catalog.Load(entry, out schema);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidDataException or InvalidOperationException or EndOfStreamException)
        {
            throw Invalid(path, $"its entry '{name}' is not an ML.NET model ML.NET can read ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private static ZipArchive OpenZip(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw Invalid(path, $"it is not a zip file ({e.Message})", e);
        }
    }

    private static Manifest ReadManifest(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(ManifestEntry)
            ?? throw Invalid(path, $"it has no {ManifestEntry} (a model saved by mlContext.Model.Save loads with mlContext.Model.Load)");
        Manifest? manifest;
        try
        {
            using var stream = entry.Open();
            manifest = JsonSerializer.Deserialize<Manifest>(stream, Json);
        }
        catch (JsonException e)
        {
            // Messages from the options' own converters say what is wrong but not where; the serializer knows where.
            var where = e.Path is { } at && !e.Message.Contains(at, StringComparison.Ordinal) ? $" at {at}" : "";
            throw Invalid(path, $"{ManifestEntry} is not a valid manifest{where} ({e.Message})", e);
        }
        if (manifest is null || manifest.Format != Format || manifest.Parts is null)
        {
            throw Invalid(path, $"{ManifestEntry} does not describe an {Format} file");
        }
        if (manifest.Version > Version)
        {
            throw Invalid(path, $"it was written in format version {manifest.Version}; this version of Fme.MLNet reads up to {Version}");
        }
        return manifest;
    }

    /// <summary>A schedule for another step count would fail only at the first row; refuse it here, naming the file.</summary>
    private static void CheckRehash(GenerateVideoFmeOptions options, string path)
    {
        try
        {
            options.Generation.StepRehash?.ScheduleFor(options.Generation.Steps);
        }
        catch (ArgumentException e)
        {
            throw Invalid(path, $"the Step Rehash options of video column '{options.OutputColumnName}' do not fit its generation ({e.Message})", e);
        }
    }

    private static InvalidDataException Invalid(string path, string why, Exception? inner = null) =>
        new($"Model file '{path}' cannot be loaded: {why}.", inner);

    private sealed record Manifest(string Format, int Version, IReadOnlyList<Part> Parts);

    /// <param name="Kind">What the part is.</param>
    /// <param name="Entry">The inner zip of an ML.NET part.</param>
    /// <param name="Options">A video transform's options.</param>
    /// <param name="EmbeddedFolder">The entry prefix of a video transform's embedded model folder (version 2).</param>
    private sealed record Part(string Kind, string? Entry, GenerateVideoFmeOptions? Options, string? EmbeddedFolder);
}
