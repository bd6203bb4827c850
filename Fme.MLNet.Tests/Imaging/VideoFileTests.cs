using System.Globalization;
using FFMpegCore;
using FFMpegCore.Pipes;
using Fme.MLNet.Imaging;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>MP4 and WebM through ffmpeg, checked by decoding the files again with ffprobe / ffmpeg.</summary>
public class VideoFileTests
{
    private const int Frames = 9, Width = 160, Height = 96;

    /// <summary>Smooth moving colour fields with random phases: what a video codec is made for (noise is not).</summary>
    private static VideoFrames SmoothVideo(TestRandom rng, int frames, int width, int height, double fps)
    {
        var phases = rng.Uniform(9, 0, 2 * MathF.PI);
        var bytes = new byte[frames * width * height * 3];
        for (int f = 0, i = 0; f < frames; f++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    for (var c = 0; c < 3; c++, i++)
                    {
                        var v = 0.5 + 0.25 * Math.Sin(2 * Math.PI * x / width + phases[c] + 0.3 * f)
                                    + 0.2 * Math.Cos(2 * Math.PI * y / height + phases[3 + c] - 0.2 * f);
                        bytes[i] = (byte)Math.Clamp(Math.Round(255 * v), 0, 255);
                    }
                }
            }
        }
        return VideoFrames.FromRgb24(bytes, frames, width, height, fps);
    }

    [Theory]
    [InlineData("mp4", 7.0)]
    [InlineData("webm", 7.0)]
    [InlineData("mp4", 12.5)]
    public void Encoded_file_decodes_to_the_frames_size_and_rate(string extension, double fps)
    {
        var rng = new TestRandom();
        using var temp = new TempFolder();
        var video = SmoothVideo(rng, Frames, Width, Height, fps);
        var path = temp.File("out." + extension);
        video.Save(path, VideoFileFormats.Parse(extension));

        var analysis = FFProbe.Analyse(path);
        var stream = analysis.PrimaryVideoStream!;
        Assert.Equal(extension == "mp4" ? "h264" : "vp9", stream.CodecName);
        Assert.Equal((Width, Height), (stream.Width, stream.Height));
        Assert.Equal(fps, stream.AverageFrameRate, 3);
        Assert.Equal(Frames, FFProbe.GetFrames(path).Frames.Count);
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(temp.Path).Select(Path.GetFileName));

        var first = DecodeFirstFrame(path);
        var psnr = Psnr(video.GetFrame(0).Span, first);
        Assert.True(psnr >= 35, $"first frame PSNR {psnr:0.0} dB < 35 dB (seed {rng.Seed})");
    }

    [Fact]
    public void Quality_and_rate_arguments_are_honoured_and_checked()
    {
        var rng = new TestRandom();
        using var temp = new TempFolder();
        var video = SmoothVideo(rng, 4, 64, 64, 7);
        video.SaveMp4(temp.File("fine.mp4"), fps: 10, crf: 10);
        video.SaveMp4(temp.File("coarse.mp4"), fps: 10, crf: 40);
        Assert.Equal(10, FFProbe.Analyse(temp.File("fine.mp4")).PrimaryVideoStream!.AverageFrameRate, 3);
        Assert.True(new FileInfo(temp.File("fine.mp4")).Length > new FileInfo(temp.File("coarse.mp4")).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => video.SaveMp4(temp.File("bad.mp4"), crf: 52));
        Assert.Throws<ArgumentOutOfRangeException>(() => video.SaveWebM(temp.File("bad.webm"), fps: 0));
        Assert.False(File.Exists(temp.File("bad.mp4")));
    }

    [Fact]
    public void Odd_sizes_are_padded_to_even()
    {
        using var temp = new TempFolder();
        var video = SmoothVideo(new TestRandom(), 2, 33, 17, 7);
        video.SaveMp4(temp.File("odd.mp4"));
        var stream = FFProbe.Analyse(temp.File("odd.mp4")).PrimaryVideoStream!;
        Assert.Equal((34, 18), (stream.Width, stream.Height));
    }

    [Fact]
    public void Without_ffmpeg_the_error_says_what_to_install_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var empty = Directory.CreateDirectory(temp.File("bin")).FullName;
        var video = SmoothVideo(new TestRandom(), 2, 32, 32, 7);
        var error = Assert.Throws<FfmpegNotFoundException>(() =>
            FfmpegEncoder.Encode(video, temp.File("out", "video.mp4"), VideoFileFormat.Mp4, null, 18, searchPath: empty));
        Assert.Contains("apt-get install ffmpeg", error.Message);
        Assert.Contains("PATH", error.Message);
        Assert.False(Directory.Exists(temp.File("out")) && Directory.EnumerateFileSystemEntries(temp.File("out")).Any());
    }

    [Fact]
    public void A_failing_ffmpeg_leaves_no_file_and_reports_its_error()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        var bin = Directory.CreateDirectory(temp.File("bin")).FullName;
        // A stand-in that answers FFMpegCore's version check, then writes part of its output file (its last argument), complains and fails.
        var fake = Path.Combine(bin, "ffmpeg");
        File.WriteAllText(fake, "#!/bin/sh\n[ \"$1\" = -version ] && echo 'ffmpeg version 0' && exit 0\nfor last; do :; done\necho partial > \"$last\"\necho 'Encoder exploded' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(temp.File("video.mp4"), "earlier");
        var video = SmoothVideo(new TestRandom(), 2, 32, 32, 7);
        var error = Assert.Throws<IOException>(() =>
            FfmpegEncoder.Encode(video, temp.File("video.mp4"), VideoFileFormat.Mp4, null, 18, searchPath: bin));
        Assert.Contains("Encoder exploded", error.Message);
        Assert.Contains("video.mp4", error.Message);
        Assert.Equal("earlier", File.ReadAllText(temp.File("video.mp4")));
        Assert.Equal(["video.mp4"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("a.GIF", VideoFileFormat.Gif)]
    [InlineData("b.mp4", VideoFileFormat.Mp4)]
    [InlineData("c.WebM", VideoFileFormat.WebM)]
    [InlineData("d.png", null)]
    [InlineData("e", null)]
    public void Formats_follow_the_extension(string path, VideoFileFormat? expected)
    {
        Assert.Equal(expected, VideoFileFormats.FromPath(path));
        Assert.Equal(VideoFileFormat.WebM, VideoFileFormats.Parse("WEBM"));
        Assert.Contains("gif, png, mp4, webm", Assert.Throws<ArgumentException>(() => VideoFileFormats.Parse("avi")).Message);
    }

    private static byte[] DecodeFirstFrame(string path)
    {
        using var output = new MemoryStream();
        FFMpegArguments.FromFileInput(path)
            .OutputToPipe(new StreamPipeSink(output), o => o.WithCustomArgument("-frames:v 1 -f rawvideo -pix_fmt rgb24"))
            .ProcessSynchronously();
        return output.ToArray();
    }

    private static double Psnr(ReadOnlySpan<byte> expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double sum = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double d = expected[i] - actual[i];
            sum += d * d;
        }
        var mse = sum / expected.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
