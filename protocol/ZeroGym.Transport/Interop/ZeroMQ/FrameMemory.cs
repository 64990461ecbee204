using System.Buffers;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// A <see cref="Memory{T}"/> view of a frame libzmq holds, for readers that take memory rather than spans
/// (MessagePack-CSharp's). One instance per <see cref="ZmqMessage"/>, pointed at each frame it receives, so viewing a
/// frame allocates nothing and copies nothing.
/// </summary>
internal sealed unsafe class FrameMemory : MemoryManager<byte>
{
    private byte* data;
    private int length;

    /// <summary>Points the view at a new frame (or at nothing).</summary>
    public void Point(byte* frame, int size)
    {
        data = frame;
        length = size;
    }

    public override Span<byte> GetSpan() => new(data, length);

    // The frame lives in unmanaged memory: it never moves, so pinning is only handing out the pointer.
    public override MemoryHandle Pin(int elementIndex = 0) => new(data + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        data = null;
        length = 0;
    }
}
