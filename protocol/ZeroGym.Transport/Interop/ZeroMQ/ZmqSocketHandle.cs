using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// Owns a libzmq socket and a reference on its context, released after zmq_close so the context is
/// terminated only once all of its sockets are closed, whatever order Dispose or the finalizer runs in.
/// </summary>
internal sealed class ZmqSocketHandle : SafeHandle
{
    private ZmqContextHandle? context;

    /// <summary>Used by the marshaller for <see cref="LibZmq.zmq_socket"/>.</summary>
    public ZmqSocketHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Creates a socket of <paramref name="type"/> in <paramref name="context"/>.</summary>
    /// <exception cref="ZmqException">zmq_socket failed, e.g. ETERM after the context was shut down.</exception>
    public static ZmqSocketHandle Create(ZmqContextHandle context, ZmqSocketType type)
    {
        bool referenced = false;
        context.DangerousAddRef(ref referenced);
        try
        {
            ZmqSocketHandle socket = LibZmq.zmq_socket(context, (int)type);
            if (socket.IsInvalid)
            {
                ZmqException error = ZmqError.LastError("zmq_socket", type.ToString());
                socket.Dispose();
                throw error;
            }

            // From here on the socket releases the reference taken above.
            socket.context = context;
            return socket;
        }
        catch
        {
            context.DangerousRelease();
            throw;
        }
    }

    protected override bool ReleaseHandle()
    {
        int result = LibZmq.zmq_close(handle);
        context?.DangerousRelease();
        return result == 0;
    }
}
