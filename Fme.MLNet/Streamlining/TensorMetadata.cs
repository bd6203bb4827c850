using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Streamlining;

/// <summary>
/// The declared type and shape of a model input or output. Dimensions are fixed numbers, or -1 with a name in
/// <see cref="SymbolicDimensions"/> for dynamic axes (as <c>NodeMetadata</c> of an InferenceSession reports them).
/// </summary>
/// <param name="ElementType">Element type.</param>
/// <param name="Dimensions">Dimensions; -1 for a dynamic axis.</param>
/// <param name="SymbolicDimensions">Names of dynamic axes; empty strings for fixed ones.</param>
public sealed record TensorMetadata(OnnxElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>The element type as ONNX Runtime names it.</summary>
    public TensorElementType TensorElementType => (TensorElementType)(int)ElementType;

    /// <summary>The shape as text, dynamic axes by name: [batch, 14, 8, height, width].</summary>
    public override string ToString() =>
        $"{OnnxElementTypes.Name(ElementType)} [{string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]";
}
