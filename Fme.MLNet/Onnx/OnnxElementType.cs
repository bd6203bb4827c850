namespace Fme.MLNet.Onnx;

/// <summary>Element types of ONNX tensors (TensorProto.DataType); values are the format's own.</summary>
public enum OnnxElementType
{
    /// <summary>Not set.</summary>
    Undefined = 0,
    /// <summary>32-bit float.</summary>
    Float = 1,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 2,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 3,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 4,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 5,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 6,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 7,
    /// <summary>UTF-8 string.</summary>
    String = 8,
    /// <summary>Boolean, one byte.</summary>
    Bool = 9,
    /// <summary>IEEE 754 half precision.</summary>
    Float16 = 10,
    /// <summary>64-bit float.</summary>
    Double = 11,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 12,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 13,
    /// <summary>Brain float 16.</summary>
    BFloat16 = 16,
}

/// <summary>Facts about <see cref="OnnxElementType"/> values.</summary>
public static class OnnxElementTypes
{
    /// <summary>Whether <paramref name="code"/> is a data type this library knows.</summary>
    public static bool IsKnown(int code) => code is >= 1 and <= 13 or 16;

    /// <summary>Bytes per element; strings have no fixed size and give 0.</summary>
    public static int SizeOf(OnnxElementType type) => type switch
    {
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
        OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 2,
        OnnxElementType.Int64 or OnnxElementType.Double or OnnxElementType.UInt64 => 8,
        OnnxElementType.String => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an ONNX element type"),
    };

    /// <summary>Whether the type is a floating-point type.</summary>
    public static bool IsFloatingPoint(OnnxElementType type) =>
        type is OnnxElementType.Float or OnnxElementType.Float16 or OnnxElementType.Double or OnnxElementType.BFloat16;

    /// <summary>Lower-case name as ONNX prints it (float, float16, int64, ...).</summary>
    public static string Name(OnnxElementType type) => type switch
    {
        OnnxElementType.Float => "float",
        OnnxElementType.Float16 => "float16",
        OnnxElementType.BFloat16 => "bfloat16",
        OnnxElementType.Double => "double",
        _ => type.ToString().ToLowerInvariant(),
    };
}
