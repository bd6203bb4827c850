namespace Fme.MLNet.Pipelines;

/// <summary>The execution provider asked for (CUDA) cannot be used, and falling back to the CPU is not allowed.</summary>
public sealed class ExecutionProviderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExecutionProviderException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
