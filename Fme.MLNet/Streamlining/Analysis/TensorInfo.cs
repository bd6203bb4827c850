using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Analysis;

/// <summary>The concrete element type and dimensions of one tensor for one set of input shapes.</summary>
public sealed record TensorInfo(OnnxElementType Type, long[] Dims)
{
    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>
    /// The largest tensor the planner accepts (256 TiB): far above any memory, and low enough that sums over every
    /// tensor of a graph cannot overflow 64 bits.
    /// </summary>
    public const long MaxBytes = 1L << 48;

    /// <summary>Number of elements.</summary>
    /// <exception cref="OverflowException">The product of the dimensions does not fit 64 bits.</exception>
    public long Elements => Dims.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>Size in bytes.</summary>
    /// <exception cref="OverflowException">The size does not fit 64 bits.</exception>
    public long Bytes => checked(Elements * OnnxElementTypes.SizeOf(Type));

    /// <summary>Refuses a tensor whose size overflows or passes <see cref="MaxBytes"/>, naming it.</summary>
    /// <exception cref="TensorSizeException">The tensor is too large to plan.</exception>
    public void CheckSize(string tensor, string where)
    {
        long bytes;
        try
        {
            bytes = Bytes;
        }
        catch (OverflowException)
        {
            throw new TensorSizeException(
                $"{where}: tensor '{tensor}' {this} has more elements than 64 bits can count; expected a size that fits in memory.");
        }
        if (bytes > MaxBytes)
        {
            throw new TensorSizeException(
                $"{where}: tensor '{tensor}' {this} would take {bytes} bytes, more than the {MaxBytes} bytes (256 TiB) the planner accepts.");
        }
    }

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
