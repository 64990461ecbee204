using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// Owns a libzmq context. Every socket handle holds a reference on it (see <see cref="ZmqSocketHandle"/>),
/// so zmq_ctx_term runs only after the last socket is closed: it blocks until then, and a finalizer
/// that terminated a context with open sockets would hang forever.
/// </summary>
internal sealed class ZmqContextHandle : SafeHandle
{
    /// <summary>Used by the marshaller for <see cref="LibZmq.zmq_ctx_new"/>.</summary>
    public ZmqContextHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <remarks>Blocks while closed sockets still linger with unsent messages.</remarks>
    protected override bool ReleaseHandle()
    {
        int result;
        do
        {
            result = LibZmq.zmq_ctx_term(handle);
        }
        while (result == -1 && Marshal.GetLastPInvokeError() == LibZmq.EINTR);

        return result == 0;
    }
}
