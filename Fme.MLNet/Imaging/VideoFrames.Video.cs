namespace Fme.MLNet.Imaging;

public sealed partial class VideoFrames
{
    /// <summary>Default H.264 constant rate factor of <see cref="SaveMp4"/>: visually close to lossless.</summary>
    public const int DefaultMp4Crf = 18;

    /// <summary>Default VP9 constant rate factor of <see cref="SaveWebM"/>.</summary>
    public const int DefaultWebMCrf = 24;

    /// <summary>
    /// Writes an H.264 MP4 (4:2:0, BT.709, fast start) through the <c>ffmpeg</c> program, which must be on the PATH (see
    /// <see cref="FfmpegProgram"/>). The file is written to a temporary file and renamed, so a failure leaves nothing
    /// half-written.
    /// </summary>
    /// <param name="path">The MP4 file; its folder is created if missing, an existing file is replaced.</param>
    /// <param name="fps">Frames per second of the file; null takes <see cref="Fps"/>.</param>
    /// <param name="crf">Quality as x264's constant rate factor, 0 (lossless) to 51: lower is better and larger; 18 is
    /// close to lossless to the eye, 23 is x264's default.</param>
    /// <exception cref="FfmpegNotFoundException">ffmpeg is not on the PATH; the message says what to install.</exception>
    /// <exception cref="IOException">ffmpeg failed; the message holds the end of its report.</exception>
    public void SaveMp4(string path, double? fps = null, int crf = DefaultMp4Crf) =>
        FfmpegEncoder.Encode(this, path, VideoFileFormat.Mp4, fps, crf);

    /// <summary>
    /// Writes a VP9 WebM (4:2:0, BT.709, constant quality) through the <c>ffmpeg</c> program, as <see cref="SaveMp4"/> does.
    /// </summary>
    /// <param name="path">The WebM file; its folder is created if missing, an existing file is replaced.</param>
    /// <param name="fps">Frames per second of the file; null takes <see cref="Fps"/>.</param>
    /// <param name="crf">Quality as libvpx's constant rate factor, 0 to 63: lower is better and larger.</param>
    /// <exception cref="FfmpegNotFoundException">ffmpeg is not on the PATH; the message says what to install.</exception>
    /// <exception cref="IOException">ffmpeg failed; the message holds the end of its report.</exception>
    public void SaveWebM(string path, double? fps = null, int crf = DefaultWebMCrf) =>
        FfmpegEncoder.Encode(this, path, VideoFileFormat.WebM, fps, crf);

    /// <summary>
    /// Writes the video in <paramref name="format"/> with that format's defaults: a GIF, MP4 or WebM file at
    /// <paramref name="path"/>, or for <see cref="VideoFileFormat.Png"/> one PNG per frame in the folder <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The file, or the folder for PNG frames.</param>
    /// <param name="format">The format.</param>
    public void Save(string path, VideoFileFormat format)
    {
        switch (format)
        {
            case VideoFileFormat.Gif:
                SaveGif(path);
                break;
            case VideoFileFormat.Png:
                SavePngFrames(path);
                break;
            case VideoFileFormat.Mp4:
                SaveMp4(path);
                break;
            case VideoFileFormat.WebM:
                SaveWebM(path);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, $"Not a video format; use one of {string.Join(", ", VideoFileFormats.Names)}.");
        }
    }
}
