namespace Fme.CommandLine;

/// <summary>Checks, before a long generation, that its output can be written.</summary>
public static class OutputCheck
{
    /// <summary>Creates the folder of <paramref name="file"/> if missing and a temporary file beside it, deleted at once.</summary>
    /// <exception cref="OutputNotWritableException">It cannot be written; the message names the path.</exception>
    public static void File(string file) => Folder(Path.GetDirectoryName(Path.GetFullPath(file))!, file);

    /// <summary>Creates <paramref name="folder"/> if missing and a temporary file in it, deleted at once.</summary>
    /// <exception cref="OutputNotWritableException">It cannot be written; the message names the path.</exception>
    public static void Folder(string folder, string? forFile = null)
    {
        var target = forFile ?? folder;
        try
        {
            if (forFile is not null && Directory.Exists(forFile))
            {
                throw new IOException("it is a folder");
            }
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".fme-write-check-{Guid.NewGuid():N}");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputNotWritableException($"Cannot write '{Path.GetFullPath(target)}': {e.Message}", e);
        }
    }
}
