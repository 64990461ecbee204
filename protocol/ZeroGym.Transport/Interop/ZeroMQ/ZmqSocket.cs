
namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// A libzmq socket, created by <see cref="ZmqContext.CreateSocket"/>. Frames are sent from spans and
/// received into reusable <see cref="ZmqMessage"/>s; the <c>byte[]</c> methods are conveniences that copy.
/// </summary>
/// <remarks>
/// Not thread-safe: use a socket from one thread at a time, Dispose included (libzmq sockets are not
/// thread-safe; moving one to another thread needs a memory barrier, which a lock or a task handoff gives).
/// After <see cref="ZmqContext.Shutdown"/>, sends and receives throw a <see cref="ZmqException"/> whose
/// <see cref="ZmqException.IsContextTerminated"/> is true (ETERM); dispose the socket then.
/// </remarks>
public sealed partial class ZmqSocket : IDisposable
{
    private readonly ZmqSocketHandle handle;

    /// <summary>Receives the frames of the <c>byte[]</c> conveniences; created on first use.</summary>
    private ZmqMessage? scratch;

    // The ZMQ_RCVTIMEO now set on the socket (-1: wait forever), so a receive changes it only when asked for another.
    private int receiveTimeout = -1;

    internal ZmqSocket(ZmqSocketHandle handle)
    {
        this.handle = handle;
    }

    /// <summary>True when the last frame received is followed by more frames of the same message (ZMQ_RCVMORE).</summary>
    public bool HasMoreToReceive => GetInt32Option(LibZmq.ZMQ_RCVMORE) != 0;

    /// <summary>The native socket, for calls that take it; throws once the socket is disposed.</summary>
    internal ZmqSocketHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    /// <summary>The native socket even after Dispose, to release references taken through <see cref="Handle"/>.</summary>
    internal ZmqSocketHandle UncheckedHandle => handle;

    private ZmqMessage Scratch => scratch ??= new ZmqMessage();

    /// <summary>Accepts connections on <paramref name="endpoint"/>, e.g. <c>tcp://127.0.0.1:*</c> (any free port,
    /// see <see cref="LastEndpoint"/>), <c>ipc:///tmp/zerogym.sock</c> or <c>inproc://name</c>.</summary>
    /// <exception cref="ZmqException">The endpoint is malformed, in use or not available here.</exception>
    public void Bind(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ZmqError.ThrowIfFailed(LibZmq.zmq_bind(Handle, endpoint), "zmq_bind", endpoint);
    }

    /// <summary>Connects to <paramref name="endpoint"/>; libzmq connects in the background and reconnects.</summary>
    /// <exception cref="ZmqException">The endpoint is malformed or its transport is not supported.</exception>
    public void Connect(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ZmqError.ThrowIfFailed(LibZmq.zmq_connect(Handle, endpoint), "zmq_connect", endpoint);
    }

    /// <summary>
    /// Publishes this socket's failed security handshakes (a peer without CURVE, with the wrong server key, or refused
    /// by the ZAP handler) on a PAIR socket bound at <paramref name="endpoint"/> (<c>inproc://...</c>); read them with
    /// <see cref="ZmqMonitorEvent.TryReceive"/>.
    /// </summary>
    public void MonitorHandshakeFailures(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        const int events = LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | LibZmq.ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
        ZmqError.ThrowIfFailed(LibZmq.zmq_socket_monitor(Handle, endpoint, events), "zmq_socket_monitor", endpoint);
    }

    /// <summary>
    /// Stops publishing this socket's events. Call it before closing the monitor's reading socket: libzmq's I/O thread
    /// sends each event with a blocking send, so an event with no reader would block it, and every connection it serves.
    /// </summary>
    public void StopMonitor() => ZmqError.ThrowIfFailed(LibZmq.zmq_socket_monitor(Handle, null, 0), "zmq_socket_monitor", "(stop)");

    /// <summary>Stops accepting on an endpoint given to <see cref="Bind"/> (for a wildcard port, the resolved
    /// <see cref="LastEndpoint"/>).</summary>
    public void Unbind(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ZmqError.ThrowIfFailed(LibZmq.zmq_unbind(Handle, endpoint), "zmq_unbind", endpoint);
    }

    /// <summary>Drops the connection to an endpoint given to <see cref="Connect"/>.</summary>
    public void Disconnect(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ZmqError.ThrowIfFailed(LibZmq.zmq_disconnect(Handle, endpoint), "zmq_disconnect", endpoint);
    }

    /// <summary>Sends one frame, waiting while the peer's queue is full; <paramref name="more"/> says another
    /// frame of the same message follows.</summary>
    /// <exception cref="ZmqException">The send failed, e.g. EHOSTUNREACH for a ROUTER with
    /// <see cref="RouterMandatory"/> and an unknown identity, or ETERM.</exception>
    public void Send(ReadOnlySpan<byte> frame, bool more = false)
    {
        // Without ZMQ_DONTWAIT, EAGAIN would mean a send timeout (ZMQ_SNDTIMEO), which this binding never sets.
        if (SendOnce(frame, more ? LibZmq.ZMQ_SNDMORE : 0) != ZmqStatus.Done)
        {
            throw ZmqError.LastError("zmq_send");
        }
    }

    /// <summary>Sends one frame if that needs no waiting (ZMQ_DONTWAIT).</summary>
    /// <returns>False when the frame could not be queued now (EAGAIN): no peer, or its queue is full.</returns>
    public bool TrySend(ReadOnlySpan<byte> frame, bool more = false) =>
        SendOnce(frame, LibZmq.ZMQ_DONTWAIT | (more ? LibZmq.ZMQ_SNDMORE : 0)) == ZmqStatus.Done;

    /// <summary>Sends the frames as one multipart message, waiting while the peer's queue is full.</summary>
    public void SendMultipart(IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("Expected at least one frame, found none.", nameof(frames));
        }

        for (int i = 0; i < frames.Count; i++)
        {
            Send(frames[i], more: i < frames.Count - 1);
        }
    }

    /// <summary>Waits for the next frame and stores it in <paramref name="message"/>.</summary>
    /// <exception cref="ZmqException">The receive failed, e.g. with ETERM after the context was shut down.</exception>
    public void Receive(ZmqMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        SetReceiveTimeout(-1);
        if (ReceiveOnce(message, flags: 0) != ZmqStatus.Done)
        {
            throw ZmqError.LastError("zmq_msg_recv");
        }
    }

    /// <summary>
    /// Stores the next frame in <paramref name="message"/>, waiting up to <paramref name="timeout"/>
    /// (<see cref="TimeSpan.Zero"/>: do not wait; <see cref="Timeout.InfiniteTimeSpan"/>: wait forever).
    /// </summary>
    /// <returns>False when no frame arrived in time; the socket stays usable.</returns>
    /// <remarks>
    /// The wait is libzmq's own, bounded by ZMQ_RCVTIMEO: one call per frame, where polling first would cost three on
    /// the latency-critical path. A signal that interrupts the wait restarts it with the full timeout.
    /// </remarks>
    public bool TryReceive(ZmqMessage message, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(message);
        int timeoutMilliseconds = ZmqTime.ToMilliseconds(timeout, nameof(timeout));
        if (timeoutMilliseconds == 0)
        {
            return ReceiveOnce(message, LibZmq.ZMQ_DONTWAIT) == ZmqStatus.Done;
        }

        SetReceiveTimeout(timeoutMilliseconds);
        // With ZMQ_RCVTIMEO set, EAGAIN from a waiting receive means the time ran out.
        return ReceiveOnce(message, flags: 0) == ZmqStatus.Done;
    }

    /// <summary>Waits for the next frame and returns a copy of it.</summary>
    public byte[] ReceiveFrame()
    {
        Receive(Scratch);
        return Scratch.Data.ToArray();
    }

    /// <summary>Like <see cref="TryReceive"/>, returning a copy of the frame.</summary>
    public bool TryReceiveFrame(out byte[] frame, TimeSpan timeout)
    {
        if (!TryReceive(Scratch, timeout))
        {
            frame = [];
            return false;
        }

        frame = Scratch.Data.ToArray();
        return true;
    }

    /// <summary>
    /// Clears <paramref name="frames"/> and fills it with the next whole message, waiting up to
    /// <paramref name="timeout"/> for its first frame (the others arrive with it).
    /// </summary>
    /// <returns>False, with <paramref name="frames"/> empty, when no message arrived in time.</returns>
    public bool TryReceiveMultipart(List<byte[]> frames, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(frames);
        frames.Clear();
        if (!TryReceive(Scratch, timeout))
        {
            return false;
        }

        frames.Add(Scratch.Data.ToArray());
        while (Scratch.More)
        {
            Receive(Scratch);
            frames.Add(Scratch.Data.ToArray());
        }

        return true;
    }

    /// <summary>Closes the socket (zmq_close); unsent messages linger for <see cref="Linger"/>. A second call
    /// does nothing.</summary>
    public void Dispose()
    {
        scratch?.Dispose();
        handle.Dispose();
    }

    /// <summary>zmq_send from the span in place, repeated when a signal interrupts the wait.</summary>
    private unsafe ZmqStatus SendOnce(ReadOnlySpan<byte> frame, int flags)
    {
        ZmqSocketHandle handle = Handle;
        fixed (byte* data = frame)
        {
            ZmqStatus status;
            do
            {
                status = ZmqError.Check(LibZmq.zmq_send(handle, data, (nuint)frame.Length, flags), "zmq_send");
            }
            while (status == ZmqStatus.Interrupted);

            return status;
        }
    }

    /// <summary>zmq_msg_recv into the message, repeated when a signal interrupts the wait.</summary>
    private void SetReceiveTimeout(int milliseconds)
    {
        if (milliseconds == receiveTimeout) return;
        SetOption(LibZmq.ZMQ_RCVTIMEO, milliseconds, "ReceiveTimeout");
        receiveTimeout = milliseconds;
    }

    private ZmqStatus ReceiveOnce(ZmqMessage message, int flags)
    {
        ZmqSocketHandle handle = Handle;
        ZmqMessageHandle native = message.Handle;
        ZmqStatus status;
        do
        {
            message.Forget();
            status = ZmqError.Check(LibZmq.zmq_msg_recv(native, handle, flags), "zmq_msg_recv");
        }
        while (status == ZmqStatus.Interrupted);

        if (status == ZmqStatus.Done)
        {
            message.Received();
        }

        return status;
    }
}
