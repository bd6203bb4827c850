using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;
using FFMpegCore.Pipes;

namespace Fme.MLNet.Imaging;

/// <summary>
/// Encodes <see cref="VideoFrames"/> with <c>ffmpeg</c>: FFMpegCore pipes the frames as raw RGB24, ffmpeg converts them
/// to 4:2:0 YUV with BT.709 coefficients (tagged so players convert back the same way) and writes H.264 / MP4 or
/// VP9 / WebM into a temporary file that is renamed into place.
/// </summary>
internal static class FfmpegEncoder
{
    /// <summary>Constant rate factors: H.264 0-51 (0 lossless), VP9 0-63.</summary>
    public const int MaxMp4Crf = 51, MaxWebMCrf = 63;

    public static void Encode(VideoFrames video, string path, VideoFileFormat format, double? fps, int crf, string? searchPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var rate = fps ?? video.Fps;
        if (!(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(fps), fps, "Frames per second must be positive and finite.");
        }
        var maxCrf = format == VideoFileFormat.Mp4 ? MaxMp4Crf : MaxWebMCrf;
        if (crf < 0 || crf > maxCrf)
        {
            throw new ArgumentOutOfRangeException(nameof(crf), crf, $"The {format.Name()} quality (constant rate factor) must be in [0, {maxCrf}]; lower is better and larger.");
        }
        var folder = FfmpegProgram.Locate(GlobalFFOptions.Current.BinaryFolder, searchPath ?? Environment.GetEnvironmentVariable("PATH"));
        var ffOptions = GlobalFFOptions.Current.Clone();
        ffOptions.BinaryFolder = folder;
        AtomicFile.WriteVia(path, temp => Run(video, temp, format, rate, crf, ffOptions, path));
    }

    private static void Run(VideoFrames video, string temp, VideoFileFormat format, double fps, int crf, FFOptions ffOptions, string path)
    {
        var frames = Enumerable.Range(0, video.FrameCount).Select(i => (IVideoFrame)new Rgb24Frame(video, i));
        var source = new RawVideoPipeSource(frames) { FrameRate = fps };
        var arguments = FFMpegArguments.FromPipeInput(source).OutputToFile(temp, overwrite: true, o => o
            .WithCustomArgument(Codec(format, crf))
            // 4:2:0 needs even sizes: an odd width or height gets one black column or row.
            .WithCustomArgument("-vf \"pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p\"")
            .WithCustomArgument("-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv")
            .WithCustomArgument(format == VideoFileFormat.Mp4 ? "-movflags +faststart -f mp4" : "-f webm"));
        FFMpegResult result;
        try
        {
            result = arguments.ProcessSynchronously(throwOnError: false, ffOptions);
        }
        catch (FFMpegException e)
        {
            throw new IOException($"ffmpeg could not write the {format.Name()} file '{path}': {e.Message}", e);
        }
        if (!result.Success)
        {
            var detail = string.Join(" ", result.StandardError.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(3).Select(l => l.Trim()));
            throw new IOException($"ffmpeg could not write the {format.Name()} file '{path}' (exit code {result.ExitCode}): {detail}");
        }
    }

    private static string Codec(VideoFileFormat format, int crf) => format switch
    {
        VideoFileFormat.Mp4 => string.Create(CultureInfo.InvariantCulture, $"-c:v libx264 -preset medium -crf {crf}"),
        // -b:v 0 makes VP9's rate control constant quality; row-mt uses the cores on small frames too.
        VideoFileFormat.WebM => string.Create(CultureInfo.InvariantCulture, $"-c:v libvpx-vp9 -crf {crf} -b:v 0 -deadline good -cpu-used 4 -row-mt 1"),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only MP4 and WebM go through ffmpeg."),
    };

    /// <summary>One frame as FFMpegCore sends it down the pipe: rows of RGB bytes.</summary>
    private sealed class Rgb24Frame(VideoFrames video, int index) : IVideoFrame
    {
        public int Width => video.Width;

        public int Height => video.Height;

        public string PixelFormat => "rgb24";

        public void Serialize(Stream pipe) => pipe.Write(video.GetFrame(index).Span);

        public Task SerializeAsync(Stream pipe, CancellationToken token) => pipe.WriteAsync(video.GetFrame(index), token).AsTask();
    }
}
