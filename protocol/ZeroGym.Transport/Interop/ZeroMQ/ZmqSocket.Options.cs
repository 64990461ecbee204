using System.Runtime.CompilerServices;
using System.Text;

namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>
/// Typed socket options (zmq_setsockopt / zmq_getsockopt). Times are whole milliseconds, as libzmq keeps
/// them, with libzmq's -1 where it means "forever"; a value libzmq rejects throws a <see cref="ZmqException"/>
/// naming the property, e.g. <c>zmq_setsockopt(Identity) failed: Invalid argument (errno 22)</c>.
/// </summary>
public sealed partial class ZmqSocket
{
    private const int CurveKeyZ85Length = 40;

    /// <summary>
    /// Milliseconds <see cref="Dispose"/> leaves unsent messages trying to reach their peer (ZMQ_LINGER);
    /// <see cref="ZmqContext"/> termination waits for them. libzmq's default is -1, forever; 0 drops them
    /// at once.
    /// </summary>
    public int Linger
    {
        get => GetInt32Option(LibZmq.ZMQ_LINGER);
        set => SetOption(LibZmq.ZMQ_LINGER, value);
    }

    /// <summary>
    /// The file descriptor that becomes readable when this socket may have changed state (ZMQ_FD), for waiting on it
    /// in a plain poll beside other descriptors. Edge-triggered: it signals again only after a receive on the socket
    /// returned EAGAIN, and a send may consume its signal; so drain the socket, and after sending, try a receive
    /// before waiting on it.
    /// </summary>
    public int FileDescriptor => GetInt32Option(LibZmq.ZMQ_FD);

    /// <summary>Most messages queued for sending per peer (ZMQ_SNDHWM; default 1000, 0 = no limit).</summary>
    public int SendHighWatermark
    {
        get => GetInt32Option(LibZmq.ZMQ_SNDHWM);
        set => SetOption(LibZmq.ZMQ_SNDHWM, value);
    }

    /// <summary>Most messages queued for receiving per peer (ZMQ_RCVHWM; default 1000, 0 = no limit).</summary>
    public int ReceiveHighWatermark
    {
        get => GetInt32Option(LibZmq.ZMQ_RCVHWM);
        set => SetOption(LibZmq.ZMQ_RCVHWM, value);
    }

    /// <summary>
    /// Largest inbound message in bytes (ZMQ_MAXMSGSIZE; default -1 = no limit). A peer that sends a larger
    /// one over tcp or ipc is disconnected and the message dropped unseen; inproc does not check it.
    /// </summary>
    public long MaxMessageSize
    {
        get => GetInt64Option(LibZmq.ZMQ_MAXMSGSIZE);
        set => SetOption(LibZmq.ZMQ_MAXMSGSIZE, value);
    }

    /// <summary>
    /// ROUTER only (ZMQ_ROUTER_MANDATORY; default false): when true, sending to an unknown identity fails
    /// with EHOSTUNREACH instead of being dropped silently. Write-only: libzmq 4.3 cannot read it back.
    /// </summary>
    public bool RouterMandatory
    {
        set => SetOption(LibZmq.ZMQ_ROUTER_MANDATORY, value ? 1 : 0);
    }

    /// <summary>When true, messages are queued only for completed connections (ZMQ_IMMEDIATE; default false).</summary>
    public bool Immediate
    {
        get => GetInt32Option(LibZmq.ZMQ_IMMEDIATE) != 0;
        set => SetOption(LibZmq.ZMQ_IMMEDIATE, value ? 1 : 0);
    }

    /// <summary>
    /// The identity a ROUTER peer sees for this socket (ZMQ_ROUTING_ID): 1 to 255 bytes, set before
    /// connecting. Empty when unset; the ROUTER then makes one up.
    /// </summary>
    public byte[] Identity
    {
        get => GetBytesOption(LibZmq.ZMQ_ROUTING_ID, stackalloc byte[255]).ToArray();
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            SetOption(LibZmq.ZMQ_ROUTING_ID, value);
        }
    }

    /// <summary>Milliseconds between ZMTP heartbeat PINGs (ZMQ_HEARTBEAT_IVL; default 0 = no heartbeats).</summary>
    public int HeartbeatInterval
    {
        get => GetInt32Option(LibZmq.ZMQ_HEARTBEAT_IVL);
        set => SetOption(LibZmq.ZMQ_HEARTBEAT_IVL, value);
    }

    /// <summary>
    /// Milliseconds to wait for traffic after a PING before closing the connection (ZMQ_HEARTBEAT_TIMEOUT).
    /// It reads -1 until set, which libzmq takes to mean <see cref="HeartbeatInterval"/>; it cannot be set
    /// back to -1.
    /// </summary>
    public int HeartbeatTimeout
    {
        get => GetInt32Option(LibZmq.ZMQ_HEARTBEAT_TIMEOUT);
        set => SetOption(LibZmq.ZMQ_HEARTBEAT_TIMEOUT, value);
    }

    /// <summary>
    /// Milliseconds the peer may go without hearing from this socket before it closes the connection
    /// (ZMQ_HEARTBEAT_TTL, sent in PINGs; kept in whole tenths of a second, at most 6553500; default 0 = none).
    /// </summary>
    public int HeartbeatTtl
    {
        get => GetInt32Option(LibZmq.ZMQ_HEARTBEAT_TTL);
        set => SetOption(LibZmq.ZMQ_HEARTBEAT_TTL, value);
    }

    /// <summary>Milliseconds to wait before reconnecting a lost connection (ZMQ_RECONNECT_IVL; default 100;
    /// -1 = never reconnect).</summary>
    public int ReconnectInterval
    {
        get => GetInt32Option(LibZmq.ZMQ_RECONNECT_IVL);
        set => SetOption(LibZmq.ZMQ_RECONNECT_IVL, value);
    }

    /// <summary>
    /// When true this socket is the CURVE server side (ZMQ_CURVE_SERVER) and needs
    /// <see cref="CurveSecretKey"/>; set both before binding.
    /// </summary>
    public bool CurveServer
    {
        get => GetInt32Option(LibZmq.ZMQ_CURVE_SERVER) != 0;
        set => SetOption(LibZmq.ZMQ_CURVE_SERVER, value ? 1 : 0);
    }

    /// <summary>This socket's long-term CURVE public key, 40 Z85 characters (ZMQ_CURVE_PUBLICKEY); a CURVE client
    /// sets it before connecting. See <see cref="ZmqCurve.GenerateKeyPair"/>.</summary>
    public string CurvePublicKey
    {
        get => GetCurveKey(LibZmq.ZMQ_CURVE_PUBLICKEY);
        set => SetCurveKey(LibZmq.ZMQ_CURVE_PUBLICKEY, value);
    }

    /// <summary>This socket's long-term CURVE secret key, 40 Z85 characters (ZMQ_CURVE_SECRETKEY); both sides set it.</summary>
    public string CurveSecretKey
    {
        get => GetCurveKey(LibZmq.ZMQ_CURVE_SECRETKEY);
        set => SetCurveKey(LibZmq.ZMQ_CURVE_SECRETKEY, value);
    }

    /// <summary>
    /// The server's CURVE public key, 40 Z85 characters (ZMQ_CURVE_SERVERKEY); setting it makes this socket a
    /// CURVE client, which then also needs <see cref="CurvePublicKey"/> and <see cref="CurveSecretKey"/>.
    /// </summary>
    public string CurveServerKey
    {
        get => GetCurveKey(LibZmq.ZMQ_CURVE_SERVERKEY);
        set => SetCurveKey(LibZmq.ZMQ_CURVE_SERVERKEY, value);
    }

    /// <summary>The domain sent to a ZAP authentication handler, if one runs (ZMQ_ZAP_DOMAIN; default empty).</summary>
    public string ZapDomain
    {
        get => GetStringOption(LibZmq.ZMQ_ZAP_DOMAIN, stackalloc byte[256]);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            SetOption(LibZmq.ZMQ_ZAP_DOMAIN, Encoding.UTF8.GetBytes(value));
        }
    }

    /// <summary>
    /// The endpoint of the last <see cref="Bind"/> or <see cref="Connect"/> with wildcards resolved
    /// (ZMQ_LAST_ENDPOINT), e.g. <c>tcp://127.0.0.1:41234</c> after binding <c>tcp://127.0.0.1:*</c>;
    /// empty before either.
    /// </summary>
    public string LastEndpoint => GetStringOption(LibZmq.ZMQ_LAST_ENDPOINT, stackalloc byte[1024]);

    internal unsafe void SetOption(int option, int value, [CallerMemberName] string name = "") =>
        SetOption(option, new ReadOnlySpan<byte>(&value, sizeof(int)), name);

    internal unsafe void SetOption(int option, long value, [CallerMemberName] string name = "") =>
        SetOption(option, new ReadOnlySpan<byte>(&value, sizeof(long)), name);

    /// <summary>Sets an option; <c>name</c>, the calling property by default, names it in a failure's message.</summary>
    internal unsafe void SetOption(int option, ReadOnlySpan<byte> value, [CallerMemberName] string name = "")
    {
        fixed (byte* data = value)
        {
            ZmqError.ThrowIfFailed(
                LibZmq.zmq_setsockopt(Handle, option, data, (nuint)value.Length), "zmq_setsockopt", name);
        }
    }

    internal unsafe int GetInt32Option(int option, [CallerMemberName] string name = "")
    {
        int value = 0;
        GetOption(option, new Span<byte>(&value, sizeof(int)), name);
        return value;
    }

    internal unsafe long GetInt64Option(int option, [CallerMemberName] string name = "")
    {
        long value = 0;
        GetOption(option, new Span<byte>(&value, sizeof(long)), name);
        return value;
    }

    /// <summary>Reads an option into <paramref name="buffer"/>, which must be large enough.</summary>
    /// <returns>The number of bytes libzmq wrote.</returns>
    internal unsafe int GetOption(int option, Span<byte> buffer, [CallerMemberName] string name = "")
    {
        nuint length = (nuint)buffer.Length;
        fixed (byte* data = buffer)
        {
            ZmqError.ThrowIfFailed(LibZmq.zmq_getsockopt(Handle, option, data, &length), "zmq_getsockopt", name);
        }

        return (int)length;
    }

    private Span<byte> GetBytesOption(int option, Span<byte> buffer, [CallerMemberName] string name = "") =>
        buffer[..GetOption(option, buffer, name)];

    /// <summary>Reads a NUL-terminated string option.</summary>
    private string GetStringOption(int option, Span<byte> buffer, [CallerMemberName] string name = "")
    {
        Span<byte> text = GetBytesOption(option, buffer, name);
        int end = text.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
    }

    /// <summary>Curve keys are read as Z85: libzmq wants room for exactly 40 characters and a NUL.</summary>
    private string GetCurveKey(int option, [CallerMemberName] string name = "") =>
        GetStringOption(option, stackalloc byte[CurveKeyZ85Length + 1], name);

    private void SetCurveKey(int option, string z85Key, [CallerMemberName] string name = "")
    {
        ArgumentNullException.ThrowIfNull(z85Key, name);
        if (z85Key.Length != CurveKeyZ85Length || !Ascii.IsValid(z85Key))
        {
            throw new ArgumentException(
                $"Expected a CURVE key of {CurveKeyZ85Length} Z85 characters, found {z85Key.Length} characters.",
                name);
        }

        SetOption(option, Encoding.ASCII.GetBytes(z85Key), name);
    }
}
