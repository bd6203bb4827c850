namespace Fme.MLNet.Streamlining;

/// <summary>
/// The streamlined executor cannot plan or run a model as asked: a shape it cannot infer, inputs that do not match
/// the model, or a memory budget no plan fits. The message says what was expected, what was found and what to change.
/// </summary>
public class PlanningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlanningException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
