using System.Text;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.EnvServer;

/// <summary>
/// The ZAP handler (ZeroMQ RFC 27) of a CURVE server: libzmq asks it about every client that completed the CURVE
/// handshake, and it lets in only the public keys of the authorized-keys file. Without a handler libzmq would let any
/// CURVE client in. It also reads the ROUTER's monitor, so clients that fail earlier (plain text, wrong server key)
/// are logged too.
/// </summary>
internal sealed class CurveAuthenticator : IDisposable
{
    /// <summary>Where libzmq sends ZAP requests: fixed by RFC 27, one handler per context.</summary>
    private const string ZapEndpoint = "inproc://zeromq.zap.01";

    private const string MonitorEndpoint = "inproc://zerogym.router-monitor";

    private readonly IReadOnlyDictionary<string, string> authorizedKeys;
    private readonly ServerLog log;
    private readonly ZmqSocket zap;
    private ZmqSocket? monitor;
    private ZmqSocket? monitored;
    private readonly List<byte[]> frames = new(7);

    // A refused client reconnects every 100 ms: log each (reason, who) once per interval, with the number held back.
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, (long LastLogged, int Suppressed)> refusals = new(StringComparer.Ordinal);

    /// <summary>Binds the ZAP endpoint in <paramref name="context"/>; do it before the CURVE socket binds.</summary>
    public CurveAuthenticator(ZmqContext context, IReadOnlyDictionary<string, string> authorizedKeys, ServerLog log)
    {
        this.authorizedKeys = authorizedKeys;
        this.log = log;
        zap = context.CreateSocket(ZmqSocketType.Rep);
        zap.Linger = 0;
        zap.Bind(ZapEndpoint);
    }

    /// <summary>The sockets the server's loop polls for this authenticator.</summary>
    public IEnumerable<ZmqSocket> Sockets => monitor is null ? [zap] : [zap, monitor];

    /// <summary>Starts logging the failed handshakes of <paramref name="router"/>.</summary>
    public void Monitor(ZmqContext context, ZmqSocket router)
    {
        router.MonitorHandshakeFailures(MonitorEndpoint);
        monitored = router;
        monitor = context.CreateSocket(ZmqSocketType.Pair);
        monitor.Linger = 0;
        monitor.Connect(MonitorEndpoint);
    }

    /// <summary>Answers every queued ZAP request and logs every queued monitor event, without waiting.</summary>
    public void HandlePending()
    {
        while (zap.TryReceiveMultipart(frames, TimeSpan.Zero)) Answer();
        while (monitor is not null && ZmqMonitorEvent.TryReceive(monitor, out var failure))
        {
            // Refusals by the ZAP handler (unknown keys) are logged by Answer, with the key.
            if (failure!.Kind == "handshake_failed_auth") continue;
            LogRefusal(Reason(failure), failure.Endpoint, null, ("endpoint", failure.Endpoint));
        }
    }

    /// <summary>Why a handshake failed, from libzmq's ZMQ_PROTOCOL_ERROR_* number or errno.</summary>
    private static string Reason(ZmqMonitorEvent failure) => (failure.Kind, failure.Value) switch
    {
        ("handshake_failed_protocol", 0x11000002) => "not_curve", // ZMTP mechanism mismatch: a plain-text client
        ("handshake_failed_protocol", 0x11000001) => "cannot_decrypt", // cryptographic error: a wrong server key
        ("handshake_failed_protocol", var code) => $"protocol_error_0x{code:x}",
        // The client saw the mismatch first and hung up (EPIPE, ECONNRESET): plain text or another server's key.
        (_, 32 or 104) => "handshake_aborted",
        (_, var errno) => $"handshake_failed_errno_{errno}",
    };

    private void LogRefusal(string reason, string who, string? key, params ReadOnlySpan<(string, object?)> where)
    {
        long now = Environment.TickCount64;
        string id = reason + " " + who;
        if (refusals.TryGetValue(id, out var last) && now - last.LastLogged < RefusalLogInterval.TotalMilliseconds)
        {
            refusals[id] = (last.LastLogged, last.Suppressed + 1);
            return;
        }

        if (refusals.Count > 10_000) refusals.Clear(); // bounded, whatever strangers try
        refusals[id] = (now, 0);
        log.Warn("client_refused", [("reason", reason), ("key", key), .. where, ("repeats_not_logged", last.Suppressed > 0 ? last.Suppressed : null)]);
    }

    private void Answer()
    {
        // Request: version, request id, domain, address, routing id, mechanism, credentials...
        if (frames.Count < 6)
        {
            log.Warn("zap_request_malformed", ("frames", frames.Count));
            zap.SendMultipart([Encoding.ASCII.GetBytes("1.0"), frames.Count > 1 ? frames[1] : [], "500"u8.ToArray(), "malformed ZAP request"u8.ToArray(), [], []]);
            return;
        }

        string address = Encoding.UTF8.GetString(frames[3]);
        string mechanism = Encoding.ASCII.GetString(frames[5]);
        string? key = mechanism == "CURVE" && frames.Count == 7 && frames[6].Length == 32 ? ZmqCurve.Z85Encode(frames[6]) : null;
        string status;
        string statusText;
        string userId = "";
        if (key is not null && authorizedKeys.TryGetValue(key, out var label))
        {
            (status, statusText, userId) = ("200", "OK", label);
            log.Info("client_authenticated", ("key", label), ("address", address));
        }
        else
        {
            (status, statusText) = ("400", key is null ? $"mechanism {mechanism} is not accepted" : "unknown public key");
            LogRefusal(key is null ? "not_curve" : "unknown_key", key + address, key, ("address", address));
        }

        zap.SendMultipart([frames[0], frames[1], Encoding.ASCII.GetBytes(status), Encoding.UTF8.GetBytes(statusText), Encoding.UTF8.GetBytes(userId), []]);
    }

    /// <summary>Stops the ROUTER's monitor; call before closing the ROUTER, which may still fail handshakes as it closes.</summary>
    public void StopMonitoring()
    {
        monitored?.StopMonitor();
        monitored = null;
    }

    public void Dispose()
    {
        StopMonitoring();
        monitor?.Dispose();
        zap.Dispose();
    }
}
