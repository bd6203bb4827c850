using System.Buffers;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>Exposes native memory (at most 2 GB) as <see cref="Memory{T}"/> of bytes; the owner keeps it alive.</summary>
internal sealed unsafe class NativeMemoryManager(IntPtr data, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new((void*)data, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)data + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
