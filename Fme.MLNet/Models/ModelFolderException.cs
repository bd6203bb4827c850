namespace Fme.MLNet.Models;

/// <summary>
/// A model folder is not what the SVD pipeline needs: a missing folder or file, a network whose inputs, outputs or
/// element types do not fit its role, a config that cannot be read, or a config that disagrees with a graph. The
/// message starts with the file or folder and says what was expected and what was found.
/// </summary>
public sealed class ModelFolderException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file or folder at fault.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="inner">The error that revealed it, if any.</param>
    public ModelFolderException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }
}
