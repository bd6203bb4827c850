namespace Fme.CommandLine;

/// <summary>Exit codes of the example command lines: one per kind of problem, so scripts can tell them apart.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>Batch scoring: some images failed (the others were done).</summary>
    public const int SomeFailed = 1;

    /// <summary>A missing, unknown or out-of-range option or argument.</summary>
    public const int Usage = 2;

    /// <summary>An input file or folder is missing, or an image cannot be read.</summary>
    public const int BadInput = 3;

    /// <summary>The output cannot be written (no permission, a file where a folder must be, an unknown extension).</summary>
    public const int OutputNotWritable = 4;

    /// <summary>The model folder is missing or does not validate.</summary>
    public const int BadModel = 5;

    /// <summary>MP4 or WebM was asked for and ffmpeg is not installed.</summary>
    public const int FfmpegMissing = 6;

    /// <summary>CUDA was asked for and cannot be used.</summary>
    public const int NoGpu = 7;

    /// <summary>Stopped by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;

    /// <summary>Anything else: a fault, reported with --verbose in full.</summary>
    public const int Internal = 70;
}
