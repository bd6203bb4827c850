namespace Fme.MLNet.Cluster.Submission;

/// <summary>One input image: its id in the batch (a relative path, '/'-separated) and the file.</summary>
public sealed record BatchInput(string JobId, string Path);

/// <summary>Lists a batch's images from a folder (recursively) or from a manifest file (one path per line).</summary>
public static class BatchInputs
{
    /// <summary>The image files taken from a folder.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>([".png", ".jpg", ".jpeg", ".bmp", ".webp"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Every image under <paramref name="folder"/> (hidden files skipped), ids relative to it, in ordinal order.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<BatchInput> FromFolder(string folder)
    {
        var root = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Input folder '{folder}' was not found.");
        }
        return [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f)) && !System.IO.Path.GetFileName(f).StartsWith('.'))
            .Select(f => new BatchInput(Id(System.IO.Path.GetRelativePath(root, f)), f))
            .OrderBy(i => i.JobId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The images a manifest lists: one path per line, relative to the manifest's folder or absolute; blank lines and
    /// lines starting with '#' are skipped. Ids are paths relative to the manifest's folder (the file name for a path
    /// outside it). A listed file need not exist yet: a missing one fails as its own job.
    /// </summary>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    /// <exception cref="InvalidDataException">Two lines give the same id; the message names both lines.</exception>
    public static IReadOnlyList<BatchInput> FromManifest(string manifest)
    {
        var full = System.IO.Path.GetFullPath(manifest);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Manifest '{manifest}' was not found.", manifest);
        }
        var root = System.IO.Path.GetDirectoryName(full)!;
        var inputs = new List<BatchInput>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in File.ReadLines(full))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var path = System.IO.Path.GetFullPath(line, root);
            var relative = System.IO.Path.GetRelativePath(root, path);
            var id = Id(relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative)
                ? System.IO.Path.GetFileName(path) : relative);
            if (!lines.TryAdd(id, number))
            {
                throw new InvalidDataException(
                    $"Manifest '{manifest}': line {number} ('{line}') and line {lines[id]} both give the job id '{id}' " +
                    "(and so the same output); list each image once, with distinct names.");
            }
            inputs.Add(new BatchInput(id, path));
        }
        return inputs;
    }

    private static string Id(string relative) => relative.Replace('\\', '/');
}
