namespace Fme.MLNet.MLNet;

/// <summary>
/// One row's video could not be made: its image could not be read or used, or generation failed. Raised by the video
/// column's getter; rows before it are unaffected, and a consumer may catch it and move on to the next row.
/// </summary>
public sealed class VideoGenerationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="outputColumn">The video column.</param>
    /// <param name="inputColumn">The image column.</param>
    /// <param name="row">The row position.</param>
    /// <param name="message">The full message.</param>
    /// <param name="inner">The error underneath.</param>
    public VideoGenerationException(string outputColumn, string inputColumn, long row, string message, Exception? inner = null)
        : base(message, inner)
    {
        OutputColumn = outputColumn;
        InputColumn = inputColumn;
        Row = row;
    }

    /// <summary>The video column.</summary>
    public string OutputColumn { get; }

    /// <summary>The image column.</summary>
    public string InputColumn { get; }

    /// <summary>The row position (0-based, as the cursor counts).</summary>
    public long Row { get; }
}
