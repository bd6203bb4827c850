namespace Fme.MLNet.Cluster.Workers;

/// <summary>
/// Puts a job's output in place exactly once: the bytes go to a temporary file beside the target (same folder, so the
/// rename stays on one file system), flushed to disk, then moved to the target without overwriting. The move is atomic,
/// so a reader sees no half file, and when two attempts race (a lease that expired under a slow worker) one rename wins
/// and the other attempt drops its copy, which holds the same bytes.
/// </summary>
public static class OutputCommit
{
    /// <summary>Writes through a temporary file; true when this call put the file in place, false when it was already there.</summary>
    public static bool Write(string path, string attempt, Action<Stream> write)
    {
        var folder = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{attempt}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            File.Delete(temp);
            if (File.Exists(path))
            {
                DeleteLeftovers(folder, Path.GetFileName(path));
            }
        }
    }

    /// <summary>
    /// Once the output is in place, other attempts' temporary files are garbage: left by a process killed mid-write, or
    /// held by a racing attempt, whose rename then fails and which sees the output in place.
    /// </summary>
    private static void DeleteLeftovers(string folder, string name)
    {
        var prefix = $".{name}.";
        foreach (var leftover in Directory.EnumerateFiles(folder, ".*.tmp").Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal)))
        {
            try
            {
                File.Delete(leftover);
            }
            catch (IOException)
            {
                // Another attempt is deleting it too.
            }
        }
    }
}
