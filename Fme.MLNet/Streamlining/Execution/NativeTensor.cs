using System.Runtime.InteropServices;
using Fme.MLNet.Onnx;
using Fme.MLNet.Streamlining.Analysis;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>
/// A full tensor in native memory (64-byte aligned, sizes beyond 2 GB allowed), or a view of memory someone else owns.
/// Pieces are handed to ONNX Runtime as <see cref="OrtValue"/>s over ranges of it, without copies where the cut is
/// along a leading axis. Owned memory is held by an <see cref="AlignedMemoryHandle"/>: freed on dispose, or by the
/// finalizer of the handle if a tensor is never disposed.
/// </summary>
internal sealed unsafe class NativeTensor : IDisposable
{
    private AlignedMemoryHandle? _owner;
    private IntPtr _data;

    private NativeTensor(TensorInfo info, IntPtr data, AlignedMemoryHandle? owner)
    {
        Info = info;
        _data = data;
        _owner = owner;
    }

    public TensorInfo Info { get; }

    public IntPtr Data => _data != IntPtr.Zero ? _data : throw new ObjectDisposedException(nameof(NativeTensor));

    public long Bytes => Info.Bytes;

    /// <summary>Allocates an uninitialised tensor.</summary>
    public static NativeTensor Allocate(TensorInfo info)
    {
        var owner = AlignedMemoryHandle.Allocate(Math.Max(info.Bytes, 1));
        return new NativeTensor(info, owner.DangerousGetHandle(), owner);
    }

    /// <summary>Wraps memory that stays valid, and owned by the caller, while this view is used.</summary>
    public static NativeTensor View(TensorInfo info, IntPtr data) => new(info, data, owner: null);

    /// <summary>
    /// The same memory seen as another tensor of no more bytes, taking over its ownership: this tensor stays usable as a
    /// view until the new one is disposed.
    /// </summary>
    public NativeTensor Reinterpret(TensorInfo info)
    {
        if (info.Bytes > Bytes)
        {
            throw new InvalidOperationException($"Cannot see {Bytes} bytes as {info} ({info.Bytes} bytes).");
        }
        var adopted = new NativeTensor(info, Data, _owner);
        _owner = null;
        return adopted;
    }

    public static TensorElementType OrtType(OnnxElementType type) => (TensorElementType)(int)type;

    /// <summary>An OrtValue over a byte range of this tensor (not owning it).</summary>
    public OrtValue CreateValue(long[] dims, long byteOffset = 0)
    {
        var bytes = checked(new TensorInfo(Info.Type, dims).Bytes);
        if (byteOffset < 0 || byteOffset > Bytes - bytes)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"A value of {bytes} bytes at offset {byteOffset} does not fit in {Info} ({Bytes} bytes).");
        }
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, OrtType(Info.Type), dims, Data + (nint)byteOffset, bytes);
    }

    /// <summary>An OrtValue over the whole tensor.</summary>
    public OrtValue CreateValue() => CreateValue(Info.Dims);

    public Span<T> AsSpan<T>() where T : unmanaged => new((void*)Data, checked((int)(Bytes / sizeof(T))));

    public void Dispose()
    {
        _owner?.Dispose();
        _owner = null;
        _data = IntPtr.Zero;
    }
}
