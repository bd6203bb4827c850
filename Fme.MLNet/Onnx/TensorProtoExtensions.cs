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
    public static long GetElementCount(this TensorProto tensor)
    {
        long count = 1;
        foreach (var d in tensor.Dims)
        {
            count *= d;
        }
        return count;
    }

    /// <summary>Expected byte length of the data of a fixed-size element type.</summary>
    public static long GetByteLength(this TensorProto tensor, string? modelPath = null) =>
        tensor.GetElementCount() * OnnxElementTypes.SizeOf(tensor.GetElementType(modelPath));

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
        var count = checked((int)tensor.GetElementCount());
        var size = OnnxElementTypes.SizeOf(type);
        var bytes = new byte[count * size];
        switch (type)
        {
            case OnnxElementType.Float:
                RequireCount(tensor.FloatData.Count, count, tensor, "float_data", modelPath);
                MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.Int64:
                RequireCount(tensor.Int64Data.Count, count, tensor, "int64_data", modelPath);
                MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.Double:
                RequireCount(tensor.DoubleData.Count, count, tensor, "double_data", modelPath);
                MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).CopyTo(bytes);
                break;
            case OnnxElementType.UInt32:
            case OnnxElementType.UInt64:
                RequireCount(tensor.Uint64Data.Count, count, tensor, "uint64_data", modelPath);
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
            case OnnxElementType.String:
                throw new OnnxFormatException($"tensor '{tensor.Name}' holds strings; expected a numeric tensor.", modelPath);
            default:
                // int32_data carries every type of 32 bits or less, one element per entry.
                RequireCount(tensor.Int32Data.Count, count, tensor, "int32_data", modelPath);
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

    private static void RequireCount(int found, int expected, TensorProto tensor, string field, string? modelPath)
    {
        if (found != expected)
        {
            throw new OnnxFormatException(
                $"tensor '{tensor.Name}' has {found} values in {field}; expected {expected} for dims [{string.Join(", ", tensor.Dims)}].",
                modelPath);
        }
    }
}
