namespace Fme.MLNet.Imaging;

/// <summary>MP4 or WebM output was asked for and the <c>ffmpeg</c> program could not be found; the message says what to install.</summary>
public sealed class FfmpegNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public FfmpegNotFoundException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public FfmpegNotFoundException(string message, Exception inner) : base(message, inner)
    {
    }
}
