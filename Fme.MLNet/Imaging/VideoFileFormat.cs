namespace Fme.MLNet.Imaging;

/// <summary>The ways <see cref="VideoFrames"/> can be written to disk.</summary>
public enum VideoFileFormat
{
    /// <summary>A looping animated GIF (<see cref="VideoFrames.SaveGif(string)"/>): plays anywhere, 256 colours per frame.</summary>
    Gif,

    /// <summary>One lossless PNG per frame in a folder (<see cref="VideoFrames.SavePngFrames"/>).</summary>
    Png,

    /// <summary>H.264 in MP4 (<see cref="VideoFrames.SaveMp4"/>), through the <c>ffmpeg</c> program.</summary>
    Mp4,

    /// <summary>VP9 in WebM (<see cref="VideoFrames.SaveWebM"/>), through the <c>ffmpeg</c> program.</summary>
    WebM,
}

/// <summary>File names and parsing of <see cref="VideoFileFormat"/>.</summary>
public static class VideoFileFormats
{
    /// <summary>The format names as the command lines take them: gif, png, mp4, webm.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<VideoFileFormat>().Select(Name).ToArray();

    /// <summary>The lower-case name of a format (gif, png, mp4, webm).</summary>
    public static string Name(this VideoFileFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The file extension of a format, with its dot; empty for <see cref="VideoFileFormat.Png"/>, which writes a folder.</summary>
    public static string Extension(this VideoFileFormat format) => format == VideoFileFormat.Png ? "" : "." + format.Name();

    /// <summary>Whether the format needs the <c>ffmpeg</c> program.</summary>
    public static bool NeedsFfmpeg(this VideoFileFormat format) => format is VideoFileFormat.Mp4 or VideoFileFormat.WebM;

    /// <summary>A format by its name (any case): gif, png, mp4 or webm.</summary>
    /// <exception cref="ArgumentException">Not one of them; the message lists them.</exception>
    public static VideoFileFormat Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Enum.TryParse<VideoFileFormat>(name.Trim().TrimStart('.'), ignoreCase: true, out var format) && Enum.IsDefined(format)
            ? format
            : throw new ArgumentException($"'{name}' is not a video format; use one of {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The format a file name asks for by its extension (.gif, .mp4, .webm); null for any other extension.</summary>
    public static VideoFileFormat? FromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".gif" => VideoFileFormat.Gif,
            ".mp4" => VideoFileFormat.Mp4,
            ".webm" => VideoFileFormat.WebM,
            _ => null,
        };
    }
}
