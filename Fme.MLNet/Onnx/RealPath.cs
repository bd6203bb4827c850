namespace Fme.MLNet.Onnx;

/// <summary>
/// The real path of a file or folder: every component that is a symbolic link is replaced by its target,
/// so a check that a path stays inside a folder cannot be passed by a linked folder on the way.
/// </summary>
internal static class RealPath
{
    // The same bound as the kernel's, so a loop of links ends in an error instead of recursion.
    private const int MaxLinks = 40;

    /// <summary>Resolves <paramref name="path"/>; components that do not exist are kept as they are.</summary>
    /// <exception cref="IOException">More than 40 links were followed (a loop of links).</exception>
    public static string Resolve(string path)
    {
        var links = 0;
        return Resolve(Path.GetFullPath(path), ref links);
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it (both real paths).</summary>
    public static bool IsInside(string root, string path)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal) || path == root;
    }

    private static string Resolve(string full, ref int links)
    {
        var root = Path.GetPathRoot(full) ?? string.Empty;
        var current = root;
        var parts = full[root.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            var next = Path.Combine(current, part);
            // FileInfo reads the entry itself (lstat), whether it is a file, a folder or a link to either.
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new IOException($"too many levels of symbolic links resolving '{full}'.");
            }
            current = Resolve(Path.GetFullPath(target, current), ref links);
        }
        return current;
    }
}
