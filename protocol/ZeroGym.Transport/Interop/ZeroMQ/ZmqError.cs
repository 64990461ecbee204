using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>How a libzmq send, receive or poll ended when it did not throw.</summary>
internal enum ZmqStatus
{
    Done,

    /// <summary>EAGAIN: nothing to receive, or no room to send, without waiting.</summary>
    WouldBlock,

    /// <summary>EINTR: a signal interrupted the wait; the call can be repeated.</summary>
    Interrupted,
}

/// <summary>The single place where libzmq return codes become <see cref="ZmqException"/>s.</summary>
internal static class ZmqError
{
    /// <summary>Throws for the errno of the failed call when <paramref name="result"/> is -1.</summary>
    public static void ThrowIfFailed(int result, string call, string? argument = null)
    {
        if (result == -1)
        {
            throw LastError(call, argument);
        }
    }

    /// <summary>
    /// For calls that may wait: EAGAIN and EINTR are outcomes the caller handles, any other failure throws.
    /// </summary>
    public static ZmqStatus Check(int result, string call)
    {
        if (result != -1)
        {
            return ZmqStatus.Done;
        }

        return Marshal.GetLastPInvokeError() switch
        {
            LibZmq.EAGAIN => ZmqStatus.WouldBlock,
            LibZmq.EINTR => ZmqStatus.Interrupted,
            int errorCode => throw new ZmqException(call, argument: null, errorCode),
        };
    }

    /// <summary>
    /// The exception for the errno that the last libzmq call on this thread captured as it returned
    /// (see <see cref="LibZmq"/> for why not zmq_errno()).
    /// </summary>
    public static ZmqException LastError(string call, string? argument = null) =>
        new(call, argument, Marshal.GetLastPInvokeError());
}
