using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Streamlining;

/// <summary>
/// ONNX Runtime refused to load or run a model. The message names the model file, the inputs with their shapes, and
/// ONNX Runtime's own reason (the inner exception).
/// </summary>
public sealed class ModelRunException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelRunException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>The model's file name for messages, or "the in-memory model".</summary>
    internal static string Name(string? modelPath) => modelPath is null ? "the in-memory model" : $"'{modelPath}'";

    /// <summary>A failure to create a session for a model.</summary>
    internal static ModelRunException Loading(string? modelPath, OnnxRuntimeException e) =>
        new($"ONNX Runtime cannot load {Name(modelPath)}: {e.Message}", e);

    /// <summary>A failure while running a model on the given inputs.</summary>
    internal static ModelRunException Running(string? modelPath, IEnumerable<KeyValuePair<string, OrtValue>> inputs, OnnxRuntimeException e,
        string? note = null)
    {
        return new($"ONNX Runtime failed running {Name(modelPath)} on inputs {Describe(inputs)}{note}: {e.Message}", e);
    }

    /// <summary>Inputs as "name: type[dims]", with the values of small integer inputs.</summary>
    internal static string Describe(IEnumerable<KeyValuePair<string, OrtValue>> inputs)
    {
        return string.Join(", ", inputs.Select(kv =>
        {
            var info = kv.Value.GetTensorTypeAndShape();
            var text = $"{kv.Key}: {OnnxElementTypes.Name((OnnxElementType)(int)info.ElementDataType)}[{string.Join(", ", info.Shape)}]";
            if (info.ElementDataType == TensorElementType.Int64 && info.ElementCount <= 8)
            {
                text += $" = [{string.Join(", ", kv.Value.GetTensorDataAsSpan<long>().ToArray())}]";
            }
            return text;
        }));
    }
}
