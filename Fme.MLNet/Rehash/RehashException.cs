namespace Fme.MLNet.Rehash;

/// <summary>
/// Step Rehash cannot be applied: the UNet graph has no skip connections to split at, or a schedule file is not one this
/// library wrote. The message names the graph or file, what was expected and what was found.
/// </summary>
public sealed class RehashException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RehashException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
