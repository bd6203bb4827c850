using System.Runtime.InteropServices;

namespace Fme.MLNet.Streamlining.Execution;

/// <summary>A 64-byte aligned native allocation, freed exactly once: on dispose, or by the finalizer when forgotten.</summary>
internal sealed unsafe class AlignedMemoryHandle : SafeHandle
{
    private AlignedMemoryHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <exception cref="OutOfMemoryException">The allocation failed.</exception>
    public static AlignedMemoryHandle Allocate(long bytes)
    {
        var owner = new AlignedMemoryHandle();
        owner.SetHandle((IntPtr)NativeMemory.AlignedAlloc(checked((nuint)bytes), 64));
        return owner;
    }

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
