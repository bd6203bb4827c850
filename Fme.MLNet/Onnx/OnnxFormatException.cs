namespace Fme.MLNet.Onnx;

/// <summary>
/// A model file (or the graph inside it) is not what an ONNX model must be. The message names the file
/// and, where it applies, the tensor or node, and says what was expected and what was found.
/// </summary>
public sealed class OnnxFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxFormatException(string message, string? filePath = null, Exception? inner = null)
        : base(filePath is null ? message : $"{filePath}: {message}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The model or data file the problem was found in, when there is one.</summary>
    public string? FilePath { get; }
}
