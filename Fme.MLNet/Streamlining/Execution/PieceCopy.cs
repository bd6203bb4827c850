using Fme.MLNet.Onnx;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// Moves a piece between a full tensor and a compact piece buffer when the cut axis is not leading (the piece is then
/// a set of strided blocks): one block copy per index of the outer axes, in parallel for large tensors.
/// </summary>
internal static unsafe class PieceCopy
{
    private const long ParallelBytes = 1 << 20;

    /// <summary>Copies full[..., start:start+length, ...] (along <paramref name="axis"/>) into <paramref name="piece"/>.</summary>
    public static void Gather(NativeTensor full, int axis, long start, long length, NativeTensor piece) =>
        Copy(full, axis, start, length, piece, toPiece: true);

    /// <summary>Copies <paramref name="piece"/> into full[..., start:start+length, ...].</summary>
    public static void Scatter(NativeTensor full, int axis, long start, long length, NativeTensor piece) =>
        Copy(full, axis, start, length, piece, toPiece: false);

    private static void Copy(NativeTensor full, int axis, long start, long length, NativeTensor piece, bool toPiece)
    {
        var dims = full.Info.Dims;
        // A range outside the tensor would read or write someone else's memory: refuse it rather than trust the plan.
        if (axis < 0 || axis >= dims.Length || start < 0 || length < 0 || start > dims[axis] - length)
        {
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Piece [{start}, {start + length}) along axis {axis} does not fit in {full.Info}.");
        }
        var outer = dims[..axis].Aggregate(1L, (a, d) => a * d);
        var inner = dims[(axis + 1)..].Aggregate(1L, (a, d) => a * d) * OnnxElementTypes.SizeOf(full.Info.Type);
        var fullRow = dims[axis] * inner;
        var block = length * inner;
        var offset = start * inner;
        var basePtr = (byte*)full.Data;
        if (piece.Bytes < outer * block)
        {
            throw new ArgumentOutOfRangeException(nameof(piece), $"Piece buffer {piece.Info} is smaller than the {outer * block} bytes of the piece.");
        }
        var piecePtr = (byte*)piece.Data;
        void One(long o)
        {
            var f = basePtr + o * fullRow + offset;
            var p = piecePtr + o * block;
            if (toPiece)
            {
                Buffer.MemoryCopy(f, p, block, block);
            }
            else
            {
                Buffer.MemoryCopy(p, f, block, block);
            }
        }
        if (outer * block >= ParallelBytes && outer > 1)
        {
            Parallel.For(0L, outer, One);
        }
        else
        {
            for (long o = 0; o < outer; o++)
            {
                One(o);
            }
        }
    }
}
