namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// A reusable received frame: a zmq_msg_t in unmanaged memory that <see cref="ZmqSocket.Receive"/> and
/// <see cref="ZmqSocket.TryReceive"/> fill without copying. Reusing one message for every receive keeps
/// the hot path free of allocations.
/// </summary>
/// <remarks>
/// <see cref="Data"/> points into libzmq's buffer: it is valid until the next receive into this message or
/// <see cref="Dispose"/>. Not thread-safe, like the socket it is used with.
/// </remarks>
public sealed unsafe class ZmqMessage : IDisposable
{
    private readonly ZmqMessageHandle handle = ZmqMessageHandle.Allocate();
    private readonly FrameMemory memory = new();
    private byte* data;
    private int size;
    private bool more;

    /// <summary>The frame's bytes; empty before the first receive and after a receive that found nothing.</summary>
    public ReadOnlySpan<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return new ReadOnlySpan<byte>(data, size);
        }
    }

    /// <summary>The frame's bytes as memory, for readers that take it (valid as long as <see cref="Data"/>).</summary>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return memory.Memory[..size];
        }
    }

    /// <summary>Number of bytes in <see cref="Data"/>.</summary>
    public int Size
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return size;
        }
    }

    /// <summary>True when another frame of the same multipart message follows this one.</summary>
    public bool More
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return more;
        }
    }

    internal ZmqMessageHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    /// <summary>Releases the frame and the zmq_msg_t; a second call does nothing.</summary>
    public void Dispose()
    {
        Forget();
        handle.Dispose();
    }

    /// <summary>
    /// Called before each receive: libzmq releases the old content even when the receive then fails, so
    /// the cached view must not outlive it.
    /// </summary>
    internal void Forget()
    {
        data = null;
        size = 0;
        more = false;
        memory.Point(null, 0);
    }

    /// <summary>Caches the view of a frame libzmq has just stored in this message.</summary>
    internal void Received()
    {
        data = LibZmq.zmq_msg_data(handle);
        size = checked((int)LibZmq.zmq_msg_size(handle));
        more = LibZmq.zmq_msg_more(handle) != 0;
        memory.Point(data, size);
    }
}
