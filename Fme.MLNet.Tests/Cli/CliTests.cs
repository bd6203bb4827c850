using FFMpegCore;
using Fme.BatchScoring;
using Fme.CommandLine;
using Fme.MLNet.Imaging;
using Fme.MLNet.MLNet;
using Fme.MLNet.Pipelines;
using Fme.MLNet.Tests.MLNet;
using Fme.MLNet.Tests.Support;

namespace Fme.MLNet.Tests.Cli;

/// <summary>The command lines as users meet them: plain errors with distinct exit codes, examples in the help, every
/// generation knob reaching the pipeline, and MP4 / WebM output.</summary>
public class CliTests
{
    private static readonly string Sample = Path.Combine(CliProcess.RepositoryRoot(), "examples", "sample.png");

    private static void AssertPlain(string stderr, string expected)
    {
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.InRange(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 1, 2);
    }

    [Fact]
    public async Task User_errors_are_one_or_two_lines_with_distinct_exit_codes()
    {
        using var temp = new TempFolder();
        var emptyModel = Directory.CreateDirectory(temp.File("model")).FullName;
        var blocker = temp.File("a-file");
        File.WriteAllText(blocker, "");
        var cases = new (string[] Args, int Code, string Message)[]
        {
            (["generate", "--image", temp.File("missing.png")], ExitCodes.BadInput, "missing.png' was not found"),
            (["generate", "--image", Sample, "--motion-bucket", "256"], ExitCodes.Usage, "--motion-bucket must be from 0 to 255; got 256"),
            (["generate", "--image", Sample, "--width", "100"], ExitCodes.Usage, "--width must be a multiple of 64"),
            (["generate", "--image", Sample, "--noise-aug", "lots"], ExitCodes.Usage, "lots"),
            (["generate", "--image", Sample, "--output", Path.Combine(blocker, "out.gif")], ExitCodes.OutputNotWritable, "Cannot write"),
            (["generate", "--image", Sample, "--output", temp.File("out.avi")], ExitCodes.Usage, "end it with .gif, .mp4 or .webm"),
            (["generate", "--image", Sample, "--model", emptyModel], ExitCodes.BadModel, "missing network folder"),
        };
        var distinct = new HashSet<int>();
        foreach (var (args, code, message) in cases)
        {
            var (actual, _, stderr) = await CliProcess.Run(args);
            Assert.True(code == actual, $"{string.Join(' ', args)}: exit code {actual}, expected {code}\n{stderr}");
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(message, stderr);
            Assert.DoesNotContain("   at ", stderr);
            Assert.InRange(lines.Length, 1, 2);
            distinct.Add(actual);
        }
        Assert.Equal(4, distinct.Count);
        Assert.DoesNotContain(Directory.GetFiles(temp.Path), f => f != blocker);

        var (verboseCode, _, verbose) = await CliProcess.Run(["generate", "--image", temp.File("missing.png"), "--verbose"]);
        Assert.Equal(ExitCodes.BadInput, verboseCode);
        Assert.Contains("   at ", verbose);
    }

    [Fact]
    public async Task Mp4_without_ffmpeg_fails_before_generating_and_names_what_to_install()
    {
        using var temp = new TempFolder();
        var (code, stdout, stderr) = await CliProcess.Run(["generate", "--image", Sample, "--output", temp.File("out.mp4")], path: temp.Path);
        Assert.Equal(ExitCodes.FfmpegMissing, code);
        AssertPlain(stderr, "apt-get install ffmpeg");
        Assert.DoesNotContain("Model:", stdout);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("plan")]
    [InlineData("export-tiny")]
    public async Task Help_shows_an_example(string command)
    {
        var (code, stdout, _) = await CliProcess.Run([command, "--help"]);
        Assert.Equal(0, code);
        Assert.Matches($@"Example:\n\s+fme {command} --", stdout.Replace("\r", ""));
    }

    [Fact]
    public async Task Every_knob_reaches_the_pipeline_and_mp4_is_chosen_by_extension()
    {
        using var temp = new TempFolder();
        var rng = new TestRandom();
        var options = new GenerationOptions
        {
            Width = 128, Height = 64, NumFrames = 3, Steps = 2, Seed = (ulong)rng.Next(0, 1 << 30), Fps = rng.Next(3, 20),
            MotionBucketId = rng.Next(0, 256), NoiseAugStrength = rng.Next(0, 100) / 100f,
            MinGuidanceScale = 1 + rng.Next(0, 10) / 10f, MaxGuidanceScale = 2 + rng.Next(0, 10) / 10f,
        };
        string F(float v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (code, stdout, stderr) = await CliProcess.Run(["generate", "--image", Sample, "--output", temp.File("out.mp4"),
            "--png-frames", temp.File("frames"), "--width", "128", "--height", "64", "--frames", "3", "--steps", "2",
            "--seed", $"{options.Seed}", "--fps", $"{options.Fps}", "--motion-bucket", $"{options.MotionBucketId}",
            "--noise-aug", F(options.NoiseAugStrength), "--min-guidance", F(options.MinGuidanceScale), "--max-guidance", F(options.MaxGuidanceScale)]);
        Assert.True(code == 0, $"exit code {code}\n{stdout}\n{stderr}");
        Assert.Contains($"seed {options.Seed}", stdout);

        using var pipeline = VideoDiffusionPipeline.LoadTiny();
        var expected = pipeline.Generate(RgbImage.FromFile(Sample), options);
        var frames = Directory.GetFiles(temp.File("frames")).Order().ToArray();
        Assert.Equal(3, frames.Length);
        for (var i = 0; i < frames.Length; i++)
        {
            var written = RgbImage.FromFile(frames[i]).Pixels;
            var source = expected.GetFrame(i).Span;
            var worst = 0;
            for (var p = 0; p < source.Length; p++)
            {
                worst = Math.Max(worst, Math.Abs(source[p] - written[p]));
            }
            // Same machine, same plan: at most a rounding step of 8-bit quantisation apart.
            Assert.True(worst <= 1, $"frame {i} differs from the pipeline's by up to {worst} levels ({rng.Seed})");
        }
        var stream = FFProbe.Analyse(temp.File("out.mp4")).PrimaryVideoStream!;
        Assert.Equal("h264", stream.CodecName);
        Assert.Equal(options.Fps, stream.AverageFrameRate, 3);
        Assert.Equal((128, 64), (stream.Width, stream.Height));
    }

    [Fact]
    public void Batch_scoring_takes_the_format_and_the_knobs_and_speaks_plainly()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var rng = new TestRandom();
        VideoTransformFixture.WriteRandomPng(rng, input.File("a.png"), 70, 90);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int Run(params string[] args) => CommandRunner.Run(BatchCommand.Create(stdout, stderr), args, stderr);

        Assert.Equal(ExitCodes.Success, Run(input.Path, output.Path, "--format", "webm", "--width", "64", "--height", "64", "--steps", "1",
            "--frames", "2", "--fps", "11", "--motion-bucket", "40", "--seed", "4"));
        var stream = FFProbe.Analyse(output.File("a.webm")).PrimaryVideoStream!;
        Assert.Equal("vp9", stream.CodecName);
        Assert.Equal(11, stream.AverageFrameRate, 3);

        stderr.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Usage, Run(input.Path, output.Path, "--format", "avi"));
        Assert.DoesNotContain("   at ", stderr.ToString());
        stderr.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.Usage, Run(input.Path, output.Path, "--max-guidance", "-1"));
        Assert.Contains("--max-guidance must be from 0 to 20", stderr.ToString());
        stderr.GetStringBuilder().Clear();
        Assert.Equal(ExitCodes.BadInput, Run(input.File("none"), output.Path));
        AssertPlain(stderr.ToString(), "was not found");
        Assert.Contains("Example:", BatchCommand.Create(stdout, stderr).Description);
    }
}
