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
    private readonly ZmqMessageHandle _handle = ZmqMessageHandle.Allocate();
    private readonly FrameMemory _memory = new();
    private byte* _data;
    private int _size;
    private bool _more;

    /// <summary>The frame's bytes; empty before the first receive and after a receive that found nothing.</summary>
    public ReadOnlySpan<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return new ReadOnlySpan<byte>(_data, _size);
        }
    }

    /// <summary>The frame's bytes as memory, for readers that take it (valid as long as <see cref="Data"/>).</summary>
    public ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _memory.Memory[.._size];
        }
    }

    /// <summary>Number of bytes in <see cref="Data"/>.</summary>
    public int Size
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _size;
        }
    }

    /// <summary>True when another frame of the same multipart message follows this one.</summary>
    public bool More
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _more;
        }
    }

    internal ZmqMessageHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>Releases the frame and the zmq_msg_t; a second call does nothing.</summary>
    public void Dispose()
    {
        Forget();
        _handle.Dispose();
    }

    /// <summary>
    /// Called before each receive: libzmq releases the old content even when the receive then fails, so
    /// the cached view must not outlive it.
    /// </summary>
    internal void Forget()
    {
        _data = null;
        _size = 0;
        _more = false;
        _memory.Point(null, 0);
    }

    /// <summary>Caches the view of a frame libzmq has just stored in this message.</summary>
    internal void Received()
    {
        _data = LibZmq.zmq_msg_data(_handle);
        _size = checked((int)LibZmq.zmq_msg_size(_handle));
        _more = LibZmq.zmq_msg_more(_handle) != 0;
        _memory.Point(_data, _size);
    }
}
