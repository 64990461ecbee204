using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// Owns a zmq_msg_t in unmanaged memory (it must not move while libzmq holds it) and its content.
/// </summary>
internal sealed unsafe class ZmqMessageHandle : SafeHandle
{
    private ZmqMessageHandle(nint message)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        SetHandle(message);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Allocates an empty message (zmq_msg_init cannot fail).</summary>
    public static ZmqMessageHandle Allocate()
    {
        nint message = (nint)NativeMemory.AlignedAlloc(LibZmq.ZmqMsgSize, (nuint)sizeof(nint));
        LibZmq.zmq_msg_init(message);
        return new ZmqMessageHandle(message);
    }

    protected override bool ReleaseHandle()
    {
        int result = LibZmq.zmq_msg_close(handle);
        NativeMemory.AlignedFree((void*)handle);
        return result == 0;
    }
}
