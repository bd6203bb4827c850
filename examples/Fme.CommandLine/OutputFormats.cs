using Fme.MLNet.Imaging;

namespace Fme.CommandLine;

/// <summary>Choosing and checking where a video goes, before the generation starts.</summary>
public static class OutputFormats
{
    /// <summary>
    /// Checks that <paramref name="format"/> can be written at <paramref name="path"/> (a file, or a folder for PNG frames):
    /// ffmpeg installed for MP4 and WebM, and the place writable.
    /// </summary>
    /// <exception cref="FfmpegNotFoundException">MP4 or WebM without ffmpeg.</exception>
    /// <exception cref="OutputNotWritableException">The place cannot be written.</exception>
    public static void Check(string path, VideoFileFormat format)
    {
        if (format.NeedsFfmpeg())
        {
            FfmpegProgram.Locate();
        }
        if (format == VideoFileFormat.Png)
        {
            OutputCheck.Folder(path);
        }
        else
        {
            OutputCheck.File(path);
        }
    }

    /// <summary>The format of an output file by its extension.</summary>
    /// <exception cref="ArgumentException">An extension that is none of .gif, .mp4, .webm.</exception>
    public static VideoFileFormat FromFileName(string path) => VideoFileFormats.FromPath(path)
        ?? throw new ArgumentException(
            $"Cannot tell the video format of '{path}' from its extension; end it with .gif, .mp4 or .webm (or use --png-frames DIR for PNG frames).");
}
