namespace Fme.MLNet.Models;

// The cached copy of the tiny model set.
public static partial class TinySvd
{
    /// <summary>
    /// The default cache root: <c>$XDG_CACHE_HOME/fme-mlnet</c>, else <c>~/.cache/fme-mlnet</c> (the local application
    /// data folder on Windows).
    /// </summary>
    public static string DefaultCacheRoot
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var baseFolder = !string.IsNullOrEmpty(xdg) ? xdg
                : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseFolder, "fme-mlnet");
        }
    }

    /// <summary>
    /// The cache folder name for a set of options, e.g. <c>tiny-svd-v1-seed0</c>, <c>tiny-svd-v1-seed7-fp16</c>, or
    /// <c>svd-random-v1-seed0-fp16</c> for SVD's real widths.
    /// </summary>
    public static string CacheFolderName(TinySvdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var stem = options.Preset == SvdSizePreset.Tiny ? "tiny-svd" : "svd-random";
        var name = $"{stem}-v{TinySvdConfigs.Version}-seed{options.Seed}";
        if (options.Float16)
        {
            name += "-fp16";
        }
        if (options.NumFrames != new TinySvdOptions().NumFrames)
        {
            name += $"-f{options.NumFrames}";
        }
        return options.UnetLayout == TinyUnetLayout.TensorRt ? name + "-trt" : name;
    }

    /// <summary>
    /// Returns a folder holding the tiny model set for these options under <paramref name="cacheRoot"/> (default
    /// <see cref="DefaultCacheRoot"/>), writing it first when it is missing or does not validate. The folder is written
    /// under a temporary name and renamed into place, so a reader never sees half a folder, and concurrent callers
    /// (processes or threads) end up sharing one complete copy.
    /// </summary>
    public static SvdModelFolder EnsureCached(TinySvdOptions? options = null, string? cacheRoot = null)
    {
        options ??= new TinySvdOptions();
        options.Validate();
        var root = Path.GetFullPath(cacheRoot ?? DefaultCacheRoot);
        var target = Path.Combine(root, CacheFolderName(options));
        if (TryOpenCached(target, options) is { } cached)
        {
            return cached;
        }
        Directory.CreateDirectory(root);
        var temporary = Path.Combine(root, $".{CacheFolderName(options)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Write(temporary, options);
            if (TryOpenCached(target, options) is { } written)
            {
                return written; // Another writer finished first.
            }
            if (Directory.Exists(target))
            {
                // Present but invalid (an older make, or damaged): move it aside, then remove it.
                var stale = $"{target}.{Guid.NewGuid():N}.stale";
                Directory.Move(target, stale);
                Directory.Delete(stale, recursive: true);
            }
            Directory.Move(temporary, target);
        }
        catch (IOException) when (TryOpenCached(target, options) is not null)
        {
            // Another writer won the race; its copy is complete and valid.
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
        return TryOpenCached(target, options)
               ?? throw new ModelFolderException(target, "the cached tiny model set does not validate after writing it.");
    }

    private static SvdModelFolder? TryOpenCached(string folder, TinySvdOptions options)
    {
        var marker = Path.Combine(folder, TinySvdConfigs.MarkerFileName);
        if (!File.Exists(marker) || File.ReadAllText(marker) != TinySvdConfigs.MarkerText(options))
        {
            return null;
        }
        try
        {
            return SvdModelFolder.Open(folder);
        }
        catch (ModelFolderException)
        {
            return null;
        }
    }
}
