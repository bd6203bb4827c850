using System.Runtime.InteropServices;

namespace Fme.MLNet.Onnx;

/// <summary>Conversions of little-endian tensor bytes to typed values.</summary>
public static class TensorValues
{
    /// <summary>Integer values of an integer tensor (any width), widened to long.</summary>
    public static long[] ToInt64(ReadOnlySpan<byte> bytes, OnnxElementType type)
    {
        switch (type)
        {
            case OnnxElementType.Int64: return MemoryMarshal.Cast<byte, long>(bytes).ToArray();
            case OnnxElementType.Int32: return Array.ConvertAll(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), v => (long)v);
            case OnnxElementType.UInt32: return Array.ConvertAll(MemoryMarshal.Cast<byte, uint>(bytes).ToArray(), v => (long)v);
            case OnnxElementType.Int16: return Array.ConvertAll(MemoryMarshal.Cast<byte, short>(bytes).ToArray(), v => (long)v);
            case OnnxElementType.UInt16: return Array.ConvertAll(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(), v => (long)v);
            case OnnxElementType.Int8: return Array.ConvertAll(MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(), v => (long)v);
            case OnnxElementType.UInt8:
            case OnnxElementType.Bool: return Array.ConvertAll(bytes.ToArray(), v => (long)v);
            case OnnxElementType.UInt64: return Array.ConvertAll(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(), v => (long)v);
            default: throw new ArgumentException($"Expected an integer element type, found {OnnxElementTypes.Name(type)}.", nameof(type));
        }
    }

    /// <summary>Values of a floating-point tensor as float.</summary>
    public static float[] ToFloat(ReadOnlySpan<byte> bytes, OnnxElementType type)
    {
        switch (type)
        {
            case OnnxElementType.Float: return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
            case OnnxElementType.Double: return Array.ConvertAll(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), v => (float)v);
            case OnnxElementType.Float16: return Array.ConvertAll(MemoryMarshal.Cast<byte, Half>(bytes).ToArray(), v => (float)v);
            case OnnxElementType.BFloat16:
                return Array.ConvertAll(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(), v => BitConverter.Int32BitsToSingle(v << 16));
            default: return Array.ConvertAll(ToInt64(bytes, type), v => (float)v);
        }
    }
}
