using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>The concrete element type and dimensions of one tensor for one set of input shapes.</summary>
public sealed record TensorInfo(OnnxElementType Type, long[] Dims)
{
    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Number of elements.</summary>
    public long Elements => Dims.Aggregate(1L, (a, d) => a * d);

    /// <summary>Size in bytes.</summary>
    public long Bytes => Elements * OnnxElementTypes.SizeOf(Type);

    /// <summary>The dimensions with the cut axis replaced by <paramref name="length"/>.</summary>
    public long[] WithAxis(int axis, long length)
    {
        var dims = (long[])Dims.Clone();
        dims[axis] = length;
        return dims;
    }

    /// <inheritdoc />
    public override string ToString() => $"{OnnxElementTypes.Name(Type)}[{string.Join(", ", Dims)}]";
}
