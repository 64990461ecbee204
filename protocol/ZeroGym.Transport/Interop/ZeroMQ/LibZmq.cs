using System.Runtime.InteropServices;
using ZeroGym.Interop;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// Every libzmq entry point and constant the binding uses, declared as in <c>zmq.h</c> of libzmq 4.3.4.
/// </summary>
/// <remarks>
/// On Linux zmq_errno() merely returns the C errno, and calling it after the fact is unreliable: the JIT,
/// stub binding or the GC may run on the thread between the two calls and overwrite errno (a first,
/// cold failure reads 0). So every call that can fail captures errno as it returns (SetLastError), and
/// <see cref="ZmqError"/> reads it with <see cref="Marshal.GetLastPInvokeError"/>.
/// </remarks>
internal static unsafe partial class LibZmq
{
    private const string Library = "libzmq.so.5";

    /// <summary>The environment variable that names the libzmq to load instead of the system's.</summary>
    internal const string PathVariable = "ZEROGYM_LIBZMQ";

    static LibZmq() => NativeShimLoader.RegisterSystemLibrary(
        typeof(LibZmq).Assembly, Library, PathVariable, "on Debian and Ubuntu apt-get install libzmq5 (libzmq 4.3 or later)");

    // Error numbers: Linux errno values, plus libzmq's own above ZMQ_HAUSNUMERO (156384712).
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ETERM = 156384712 + 53;

    // Send and receive flags.
    internal const int ZMQ_DONTWAIT = 1;
    internal const int ZMQ_SNDMORE = 2;

    // zmq_poll events.
    internal const short ZMQ_POLLIN = 1;
    internal const short ZMQ_POLLOUT = 2;
    internal const short ZMQ_POLLERR = 4;

    // Socket options.
    internal const int ZMQ_ROUTING_ID = 5;
    internal const int ZMQ_RCVMORE = 13;
    internal const int ZMQ_FD = 14;
    internal const int ZMQ_RCVTIMEO = 27;
    internal const int ZMQ_LINGER = 17;
    internal const int ZMQ_RECONNECT_IVL = 18;
    internal const int ZMQ_MAXMSGSIZE = 22;
    internal const int ZMQ_SNDHWM = 23;
    internal const int ZMQ_RCVHWM = 24;
    internal const int ZMQ_LAST_ENDPOINT = 32;
    internal const int ZMQ_ROUTER_MANDATORY = 33;
    internal const int ZMQ_IMMEDIATE = 39;
    internal const int ZMQ_CURVE_SERVER = 47;
    internal const int ZMQ_CURVE_PUBLICKEY = 48;
    internal const int ZMQ_CURVE_SECRETKEY = 49;
    internal const int ZMQ_CURVE_SERVERKEY = 50;
    internal const int ZMQ_ZAP_DOMAIN = 55;
    internal const int ZMQ_HEARTBEAT_IVL = 75;
    internal const int ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL = 0x0800;
    internal const int ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000;
    internal const int ZMQ_EVENT_HANDSHAKE_FAILED_AUTH = 0x4000;
    internal const int ZMQ_HEARTBEAT_TTL = 76;
    internal const int ZMQ_HEARTBEAT_TIMEOUT = 77;

    /// <summary>sizeof(zmq_msg_t): an opaque 64-byte block aligned to a pointer.</summary>
    internal const int ZmqMsgSize = 64;

    /// <summary>zmq_pollitem_t on Unix: the socket pointer, an fd (unused here) and two event masks.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollItem
    {
        public nint Socket;
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    /// <summary>Returns a static string owned by libzmq: never free it.</summary>
    [LibraryImport(Library)]
    internal static partial byte* zmq_strerror(int errnum);

    [LibraryImport(Library)]
    internal static partial void zmq_version(int* major, int* minor, int* patch);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int zmq_has(string capability);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial ZmqContextHandle zmq_ctx_new();

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_ctx_shutdown(ZmqContextHandle context);

    /// <summary>Raw pointer: called only from <see cref="ZmqContextHandle"/> while it releases itself.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_ctx_term(nint context);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial ZmqSocketHandle zmq_socket(ZmqContextHandle context, int type);

    /// <summary>Raw pointer: called only from <see cref="ZmqSocketHandle"/> while it releases itself.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_close(nint socket);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int zmq_bind(ZmqSocketHandle socket, string endpoint);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int zmq_connect(ZmqSocketHandle socket, string endpoint);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int zmq_socket_monitor(ZmqSocketHandle socket, string? endpoint, int events);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int zmq_unbind(ZmqSocketHandle socket, string endpoint);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int zmq_disconnect(ZmqSocketHandle socket, string endpoint);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_setsockopt(ZmqSocketHandle socket, int option, void* value, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_getsockopt(ZmqSocketHandle socket, int option, void* value, nuint* length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_send(ZmqSocketHandle socket, byte* buffer, nuint length, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_poll(PollItem* items, int count, CLong timeout);

    /// <summary>Raw pointer: called only while <see cref="ZmqMessageHandle"/> allocates its block.</summary>
    [LibraryImport(Library)]
    internal static partial int zmq_msg_init(nint message);

    /// <summary>Raw pointer: called only from <see cref="ZmqMessageHandle"/> while it releases itself.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_msg_close(nint message);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_msg_recv(ZmqMessageHandle message, ZmqSocketHandle socket, int flags);

    [LibraryImport(Library)]
    internal static partial byte* zmq_msg_data(ZmqMessageHandle message);

    [LibraryImport(Library)]
    internal static partial nuint zmq_msg_size(ZmqMessageHandle message);

    [LibraryImport(Library)]
    internal static partial int zmq_msg_more(ZmqMessageHandle message);

    /// <summary>Both buffers hold 41 bytes: 40 Z85 characters and a terminating NUL.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_curve_keypair(byte* z85PublicKey, byte* z85SecretKey);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int zmq_curve_public(byte* z85PublicKey, byte* z85SecretKey);

    /// <summary>Returns <paramref name="destination"/>, or null when the input is not a multiple of 4 bytes.</summary>
    [LibraryImport(Library)]
    internal static partial byte* zmq_z85_encode(byte* destination, byte* data, nuint size);

    /// <summary>Returns <paramref name="destination"/>, or null when the NUL-terminated text is not valid Z85.</summary>
    [LibraryImport(Library)]
    internal static partial byte* zmq_z85_decode(byte* destination, byte* text);
}
