using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fme.MLNet.Onnx.Proto;

namespace Fme.MLNet.Onnx;

/// <summary>Reading the facts and the values of a <see cref="TensorProto"/>.</summary>
public static class TensorProtoExtensions
{
    /// <summary>Whether the tensor's bytes are in an external data file.</summary>
    public static bool IsExternal(this TensorProto tensor) =>
        tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External;

    /// <summary>The tensor's element type, checked to be one this library knows.</summary>
    /// <exception cref="OnnxFormatException">The data type is unknown.</exception>
    public static OnnxElementType GetElementType(this TensorProto tensor, string? modelPath = null)
    {
        if (!OnnxElementTypes.IsKnown(tensor.DataType))
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}' has unknown data type {tensor.DataType}; expected one of " +
                "1 (float), 2..7 (integers), 8 (string), 9 (bool), 10 (float16), 11 (double), 12, 13 or 16 (bfloat16).",
                modelPath);
        }
        return (OnnxElementType)tensor.DataType;
    }

    /// <summary>The dimensions as an array.</summary>
    public static long[] GetDims(this TensorProto tensor) => tensor.Dims.ToArray();

    /// <summary>Number of elements (1 for a scalar).</summary>
    /// <exception cref="OnnxFormatException">A dimension is negative, or the product overflows 64 bits.</exception>
    public static long GetElementCount(this TensorProto tensor, string? modelPath = null)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            if (d < 0)
            {
                throw new OnnxFormatException(
                    $"tensor '{tensor.Name}' has a negative dimension in dims [{string.Join(", ", tensor.Dims)}]; expected sizes >= 0.", modelPath);
            }
            if (d != 0 && count > long.MaxValue / d)
            {
                throw new OnnxFormatException(
                    $"tensor '{tensor.Name}' has dims [{string.Join(", ", tensor.Dims)}], whose element count overflows 64 bits.", modelPath);
            }
            count *= d;
        }
        return count;
    }

    /// <summary>Expected byte length of the data of a fixed-size element type.</summary>
    /// <exception cref="OnnxFormatException">The dimensions are invalid or the byte length overflows 64 bits.</exception>
    public static long GetByteLength(this TensorProto tensor, string? modelPath = null)
    {
        var count = tensor.GetElementCount(modelPath);
        var size = OnnxElementTypes.SizeOf(tensor.GetElementType(modelPath));
        if (size != 0 && count > long.MaxValue / size)
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}' has dims [{string.Join(", ", tensor.Dims)}], whose byte length overflows 64 bits.", modelPath);
        }
        return count * size;
    }

    /// <summary>
    /// Checks that a tensor stored inside the model holds as many values as its dims say, without reading them:
    /// a tensor with dims but no data is refused here, before anything allocates for it.
    /// </summary>
    /// <exception cref="OnnxFormatException">The data is missing or its length does not match the dims.</exception>
    public static void CheckInlineData(this TensorProto tensor, string? modelPath = null)
    {
        var type = tensor.GetElementType(modelPath);
        if (tensor.IsExternal() || type == OnnxElementType.String)
        {
            return;
        }
        var bytes = tensor.GetByteLength(modelPath);
        if (tensor.HasRawData)
        {
            if (tensor.RawData.Length != bytes)
            {
                throw new OnnxFormatException(
                    $"tensor '{tensor.Name}' has {tensor.RawData.Length} bytes of raw_data; expected {bytes} " +
                    $"for dims [{string.Join(", ", tensor.Dims)}] of {OnnxElementTypes.Name(type)}.", modelPath);
            }
            return;
        }
        var (found, field) = TypedField(tensor, type);
        if (found != tensor.GetElementCount(modelPath))
        {
            throw new OnnxFormatException(
                found == 0
                    ? $"tensor '{tensor.Name}' has no data (no raw_data, no {field}, not external); expected {tensor.GetElementCount(modelPath)} " +
                      $"values of {OnnxElementTypes.Name(type)} for dims [{string.Join(", ", tensor.Dims)}]."
                    : $"tensor '{tensor.Name}' has {found} values in {field}; expected {tensor.GetElementCount(modelPath)} for dims [{string.Join(", ", tensor.Dims)}].",
                modelPath);
        }
    }

    private static (int Count, string Field) TypedField(TensorProto tensor, OnnxElementType type) => type switch
    {
        OnnxElementType.Float => (tensor.FloatData.Count, "float_data"),
        OnnxElementType.Int64 => (tensor.Int64Data.Count, "int64_data"),
        OnnxElementType.Double => (tensor.DoubleData.Count, "double_data"),
        OnnxElementType.UInt32 or OnnxElementType.UInt64 => (tensor.Uint64Data.Count, "uint64_data"),
        _ => (tensor.Int32Data.Count, "int32_data"),
    };

    /// <summary>
    /// The bytes of a tensor stored inside the model (raw_data or the typed fields), little-endian.
    /// External tensors are read through <see cref="OnnxModel.ReadTensorBytes(TensorProto)"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> GetInlineBytes(this TensorProto tensor, string? modelPath = null)
    {
        if (tensor.IsExternal())
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' is external; read it through its OnnxModel.");
        }
        var type = tensor.GetElementType(modelPath);
        if (tensor.HasRawData)
        {
            return tensor.RawData.Memory;
        }
        if (type == OnnxElementType.String)
        {
            throw new OnnxFormatException($"tensor '{tensor.Name}' holds strings; expected a numeric tensor.", modelPath);
        }
        // Checked before allocating, so dims without data cannot ask for memory.
        tensor.CheckInlineData(modelPath);
        var count = checked((int)tensor.GetElementCount(modelPath));
        var size = OnnxElementTypes.SizeOf(type);
        var bytes = new byte[checked(count * size)];
        switch (type)
        {
            case OnnxElementType.Float:
                MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.Int64:
                MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.Double:
                MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.UInt32:
            case OnnxElementType.UInt64:
                for (var i = 0; i < count; i++)
                {
                    if (type == OnnxElementType.UInt32)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), (uint)tensor.Uint64Data[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), tensor.Uint64Data[i]);
                    }
                }
                break;
            default:
                // int32_data carries every type of 32 bits or less, one element per entry.
                for (var i = 0; i < count; i++)
                {
                    var v = tensor.Int32Data[i];
                    switch (size)
                    {
                        case 1: bytes[i] = (byte)v; break;
                        case 2: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)v); break;
                        default: BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), v); break;
                    }
                }
                break;
        }
        return bytes;
    }
}
