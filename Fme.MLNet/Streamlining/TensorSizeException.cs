namespace Fme.MLNet.Streamlining;

/// <summary>
/// A tensor of the model, for the given input shapes, is too large to plan: its element count overflows 64 bits or its
/// size passes the planner's limit. The message names the tensor, its shape and the limit. Unlike other planning
/// failures, it never falls back to running the model whole.
/// </summary>
public sealed class TensorSizeException : PlanningException
{
    /// <summary>Creates the exception.</summary>
    public TensorSizeException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
