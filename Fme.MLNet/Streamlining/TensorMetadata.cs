using Fme.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Streamlining;

/// <summary>
/// The declared type and shape of a model input or output. Dimensions are fixed numbers, or -1 with a name in
/// <see cref="SymbolicDimensions"/> for dynamic axes (as <c>NodeMetadata</c> of an InferenceSession reports them).
/// Code written against <see cref="NodeMetadata"/> reads the same members here (<see cref="ElementDataType"/>,
/// <see cref="IsTensor"/>, <see cref="OnnxValueType"/>, <see cref="Dimensions"/> by index, <see cref="SymbolicDimensions"/>);
/// the differences: <see cref="Dimensions"/> is a list of long (NodeMetadata: int[]), and <see cref="ElementType"/> is the
/// ONNX element type (NodeMetadata: the CLR type, here <see cref="ClrType"/>). Only tensors are described.
/// </summary>
/// <param name="ElementType">Element type.</param>
/// <param name="Dimensions">Dimensions; -1 for a dynamic axis.</param>
/// <param name="SymbolicDimensions">Names of dynamic axes; empty strings for fixed ones.</param>
public sealed record TensorMetadata(OnnxElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <summary>The element type as ONNX Runtime names it.</summary>
    public TensorElementType TensorElementType => (TensorElementType)(int)ElementType;

    /// <summary>The element type as <see cref="NodeMetadata.ElementDataType"/> gives it.</summary>
    public TensorElementType ElementDataType => TensorElementType;

    /// <summary>Always a tensor, as <see cref="NodeMetadata.OnnxValueType"/> would say.</summary>
    public OnnxValueType OnnxValueType => OnnxValueType.ONNX_TYPE_TENSOR;

    /// <summary>Always true: the executor only takes and returns tensors.</summary>
    public bool IsTensor => true;

    /// <summary>Whether the elements are strings (which the executor does not cut).</summary>
    public bool IsString => ElementType == OnnxElementType.String;

    /// <summary>The CLR element type, as <see cref="NodeMetadata.ElementType"/> gives it (null for types .NET has no struct for).</summary>
    public Type? ClrType => TensorElementType switch
    {
        TensorElementType.Float => typeof(float),
        TensorElementType.Float16 => typeof(Float16),
        TensorElementType.BFloat16 => typeof(BFloat16),
        TensorElementType.Double => typeof(double),
        TensorElementType.Int64 => typeof(long),
        TensorElementType.Int32 => typeof(int),
        TensorElementType.Int16 => typeof(short),
        TensorElementType.Int8 => typeof(sbyte),
        TensorElementType.UInt64 => typeof(ulong),
        TensorElementType.UInt32 => typeof(uint),
        TensorElementType.UInt16 => typeof(ushort),
        TensorElementType.UInt8 => typeof(byte),
        TensorElementType.Bool => typeof(bool),
        TensorElementType.String => typeof(string),
        _ => null,
    };

    /// <summary>The shape as text, dynamic axes by name: [batch, 14, 8, height, width].</summary>
    public override string ToString() =>
        $"{OnnxElementTypes.Name(ElementType)} [{string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString() : SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]";
}
