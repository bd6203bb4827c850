namespace Fme.CommandLine;

/// <summary>The output path cannot be written; found before any work starts.</summary>
public sealed class OutputNotWritableException(string message, Exception? inner = null) : IOException(message, inner);
