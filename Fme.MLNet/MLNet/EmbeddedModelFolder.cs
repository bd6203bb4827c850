using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Fme.MLNet.MLNet;

/// <summary>
/// A small model folder (such as the built-in tiny set, about 22 MB) stored inside a model file by
/// <c>SaveFme(..., embedModelFolders: true)</c>, and extracted on load into a folder named after its contents, under the
/// temporary folder, so that loading the same file again reuses it.
/// </summary>
internal static class EmbeddedModelFolder
{
    /// <summary>Larger folders stay outside: a model file is read whole-entry at a time and copied on every save.</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>The folder's full path, after checking it exists and is small enough to embed.</summary>
    public static string Check(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Model folder '{full}' cannot be embedded: it does not exist.");
        }
        var bytes = Files(full).Sum(f => f.Length);
        if (bytes > MaxBytes)
        {
            throw new ArgumentException(
                $"Model folder '{full}' holds {bytes / (1 << 20)} MiB, more than the {MaxBytes >> 20} MiB that can be embedded; save without embedding and keep the folder beside the model.");
        }
        return full;
    }

    public static void Write(ZipArchive zip, string prefix, string folder)
    {
        foreach (var file in Files(folder))
        {
            var relative = Path.GetRelativePath(folder, file.FullName).Replace('\\', '/');
            zip.CreateEntryFromFile(file.FullName, prefix + relative, CompressionLevel.Fastest);
        }
    }

    /// <summary>Extracts the entries under <paramref name="prefix"/>; refuses any that would land outside the target.</summary>
    public static string Extract(ZipArchive zip, string prefix, string modelFile)
    {
        var entries = zip.Entries.Where(e => e.FullName.StartsWith(prefix, StringComparison.Ordinal) && e.FullName.Length > prefix.Length).ToList();
        if (entries.Count == 0)
        {
            throw new InvalidDataException($"Model file '{modelFile}' cannot be loaded: it names the embedded model folder '{prefix}', which holds no files.");
        }
        var id = new StringBuilder();
        foreach (var entry in entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            id.Append(entry.FullName).Append('\0').Append(entry.Crc32).Append('\0').Append(entry.Length).Append('\n');
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id.ToString())))[..24];
        var root = Path.Combine(Path.GetTempPath(), "fme-mlnet-embedded");
        var target = Path.Combine(root, hash);
        if (Directory.Exists(target))
        {
            return target;
        }
        var staging = Path.Combine(root, $".{hash}.{Guid.NewGuid():N}");
        try
        {
            foreach (var entry in entries)
            {
                var destination = Path.GetFullPath(Path.Combine(staging, entry.FullName[prefix.Length..]));
                if (!destination.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new InvalidDataException(
                        $"Model file '{modelFile}' cannot be loaded: its entry '{entry.FullName}' would be extracted outside the model folder.");
                }
                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                entry.ExtractToFile(destination);
            }
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another load extracted the same contents first.
            }
            return target;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static IEnumerable<FileInfo> Files(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => !f.Attributes.HasFlag(FileAttributes.ReparsePoint));
}
