using System.Buffers;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>Exposes native memory (at most int.MaxValue elements) as <see cref="Memory{T}"/>; the owner keeps it alive.</summary>
internal sealed unsafe class NativeMemoryManager<T>(IntPtr data, int length) : MemoryManager<T> where T : unmanaged
{
    public override Span<T> GetSpan() => new((void*)data, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((T*)data + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
