using System.Runtime.InteropServices;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// A libzmq call failed. The message names the call, its argument where one helps, libzmq's description
/// of the error and its number, e.g. <c>zmq_bind(tcp://1.2.3.4:5555) failed: Cannot assign requested
/// address (errno 99)</c>.
/// </summary>
public sealed class ZmqException : Exception
{
    internal ZmqException(string call, string? argument, int errorCode)
        : base(Describe(call, argument, errorCode))
    {
        Call = call;
        ErrorCode = errorCode;
    }

    /// <summary>The libzmq function that failed, e.g. <c>zmq_bind</c>.</summary>
    public string Call { get; }

    /// <summary>The errno libzmq reported: a Linux errno value or one of libzmq's own (ETERM, EFSM...).</summary>
    public int ErrorCode { get; }

    /// <summary>
    /// True for ETERM: the socket's context was shut down (<see cref="ZmqContext.Shutdown"/> or
    /// <see cref="ZmqContext.Dispose"/>), so the socket can only be disposed.
    /// </summary>
    public bool IsContextTerminated => ErrorCode == LibZmq.ETERM;

    private static unsafe string Describe(string call, string? argument, int errorCode)
    {
        string description = Marshal.PtrToStringUTF8((nint)LibZmq.zmq_strerror(errorCode)) ?? "unknown error";
        string target = argument is null ? call : $"{call}({argument})";
        return $"{target} failed: {description} (errno {errorCode})";
    }
}
