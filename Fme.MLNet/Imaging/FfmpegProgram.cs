using FFMpegCore;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Finds the <c>ffmpeg</c> program that MP4 and WebM output runs (through FFMpegCore, which pipes it raw frames). The
/// folder set in FFMpegCore's <c>GlobalFFOptions.Current.BinaryFolder</c> wins; otherwise the <c>PATH</c> is searched.
/// </summary>
public static class FfmpegProgram
{
    /// <summary>What to install, for the error message.</summary>
    internal const string InstallHint =
        "Install FFmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) " +
        "so that ffmpeg is on the PATH, or write a GIF or PNG frames instead";

    /// <summary>The folder holding <c>ffmpeg</c>.</summary>
    /// <exception cref="FfmpegNotFoundException">It is in none of the folders searched; the message says what to install.</exception>
    public static string Locate() => Locate(GlobalFFOptions.Current.BinaryFolder, Environment.GetEnvironmentVariable("PATH"));

    /// <summary>The folder holding <c>ffmpeg</c>: <paramref name="binaryFolder"/> when set, else the first folder of
    /// <paramref name="searchPath"/> (a PATH-style list) that holds it.</summary>
    internal static string Locate(string? binaryFolder, string? searchPath)
    {
        var name = OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg";
        if (!string.IsNullOrEmpty(binaryFolder))
        {
            return File.Exists(Path.Combine(binaryFolder, name)) ? binaryFolder
                : throw new FfmpegNotFoundException(
                    $"MP4 and WebM output needs the ffmpeg program, and FFMpegCore's BinaryFolder '{binaryFolder}' holds no {name}. " +
                    "Point BinaryFolder at the folder that holds it, or clear it to search the PATH.");
        }
        var folders = (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return folders.FirstOrDefault(f => File.Exists(Path.Combine(f, name)))
            ?? throw new FfmpegNotFoundException($"MP4 and WebM output needs the ffmpeg program, which is not on the PATH. {InstallHint}.");
    }
}
