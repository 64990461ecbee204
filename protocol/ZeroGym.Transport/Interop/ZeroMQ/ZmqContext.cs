namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// A libzmq context: the I/O threads and the sockets created from it. Thread-safe, unlike its sockets.
/// </summary>
/// <remarks>
/// Lifetime: dispose the sockets, then the context. The context is terminated (zmq_ctx_term) once it is
/// disposed and its last socket is closed, on whichever thread does the later of the two; that call
/// waits while closed sockets still try to deliver messages for their <see cref="ZmqSocket.Linger"/>
/// time, which is infinite by default, so set Linger on sockets that may hold undeliverable messages.
/// </remarks>
public sealed class ZmqContext : IDisposable
{
    private readonly ZmqContextHandle handle;

    /// <exception cref="ZmqException">zmq_ctx_new failed, e.g. too many open files.</exception>
    public ZmqContext()
    {
        handle = LibZmq.zmq_ctx_new();
        if (handle.IsInvalid)
        {
            ZmqException error = ZmqError.LastError("zmq_ctx_new");
            handle.Dispose();
            throw error;
        }
    }

    /// <summary>The version of the loaded libzmq, e.g. (4, 3, 4).</summary>
    public static unsafe (int Major, int Minor, int Patch) LibraryVersion
    {
        get
        {
            int major, minor, patch;
            LibZmq.zmq_version(&major, &minor, &patch);
            return (major, minor, patch);
        }
    }

    /// <summary>
    /// Whether the loaded libzmq supports <paramref name="capability"/>: a transport (<c>ipc</c>,
    /// <c>pgm</c>, <c>tipc</c>, <c>norm</c>) or a security mechanism (<c>curve</c>, <c>gssapi</c>).
    /// </summary>
    public static bool Has(string capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        return LibZmq.zmq_has(capability) != 0;
    }

    /// <exception cref="ZmqException">zmq_socket failed, e.g. with ETERM after <see cref="Shutdown"/>.</exception>
    public ZmqSocket CreateSocket(ZmqSocketType type)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        return new ZmqSocket(ZmqSocketHandle.Create(handle, type));
    }

    /// <summary>
    /// Makes every blocking call on this context's sockets, current and future, fail with a
    /// <see cref="ZmqException"/> whose <see cref="ZmqException.IsContextTerminated"/> is true (ETERM),
    /// and every later <see cref="CreateSocket"/> too. Use it to stop threads blocked in a receive; the
    /// sockets must still be disposed.
    /// </summary>
    public void Shutdown()
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        ZmqError.ThrowIfFailed(LibZmq.zmq_ctx_shutdown(handle), "zmq_ctx_shutdown");
    }

    /// <summary>
    /// Shuts the context down (see <see cref="Shutdown"/>) and terminates it now if no socket is open, or
    /// else when the last one is disposed. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (handle.IsClosed)
        {
            return;
        }

        Shutdown();
        handle.Dispose();
    }
}
