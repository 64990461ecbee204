using ZeroGym.Transport.Security;

namespace ZeroGym.EnvServer;

/// <summary>Settings of one server; the defaults are what <c>scripts/serve</c> uses.</summary>
public sealed record ServerOptions
{
    public const string DefaultEndpoint = "tcp://127.0.0.1:5555";

    /// <summary>Endpoints the ROUTER socket binds; <c>tcp://HOST:*</c> picks a free port.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [DefaultEndpoint];

    /// <summary>A client silent for this long is considered gone and its envs are closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Handles one client may hold at once (a vector env counts once).</summary>
    public int MaxEnvsPerClient { get; init; } = 64;

    /// <summary>Sub-envs one vector env may have.</summary>
    public int MaxNumEnvs { get; init; } = 1024;

    /// <summary>Requests above this size get <c>too_large</c>; above four times it ZeroMQ drops the connection.</summary>
    public int MaxMessageBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Requests one client may have queued at the server, and replies it may leave unread, before the server stops
    /// taking its requests (its sends wait) and drops its replies: ZeroMQ's per-connection high-water marks.
    /// </summary>
    public int MaxOutstandingRequests { get; init; } = 1000;

    /// <summary>
    /// After each reply, how long the loop keeps polling for the next request before it blocks. A blocked thread's
    /// CPU may halt, and on virtual machines waking it costs tens of microseconds per request; an agent stepping in a
    /// loop sends its next request within this time. The price: one CPU busy for this long after every reply. The
    /// worker threads of expensive sub-envs likewise poll this long for more work before they sleep.
    /// </summary>
    public TimeSpan SpinAfterReply { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// For tests only: each step and reset of a vector env's sub-envs first waits a random time up to this long, so
    /// that asynchronous results (SPEC.md §3.4) finish in an unpredictable order. Zero (the default) adds nothing.
    /// </summary>
    public TimeSpan InjectedDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Also listen on a Unix stream socket in a private folder, announced in the <c>hello</c> reply, that clients on
    /// this host may use instead of ZeroMQ (SPEC.md §1.1): each round trip then wakes two threads instead of six. Only
    /// for plain text: a server with <see cref="Curve"/> never offers it.
    /// </summary>
    public bool LocalStream { get; init; } = true;

    /// <summary>CURVE encryption and the keys allowed in; null serves plain text.</summary>
    public CurveSecurity? Curve { get; init; }

    /// <summary>Plain text on endpoints other people can reach (not loopback, not ipc): only when asked for.</summary>
    public bool AllowInsecureRemote { get; init; }

    /// <summary>
    /// Run every env inside the server, also those whose spec asks for a worker process of their own
    /// (<see cref="Envs.Registration.EnvSpec.NeedsOwnProcess"/>: the NES envs). Workers themselves run this way.
    /// </summary>
    public bool InProcessEnvs { get; init; }

    /// <summary>
    /// Added to the command line of every worker process, so that it serves its env as this server would: the
    /// configuration the composition root gave the env families (<see cref="BuiltInEnvs.WorkerArguments"/>).
    /// </summary>
    public IReadOnlyList<string> WorkerArguments { get; init; } = [];
}

/// <summary>The server's key pair and the public keys of the clients it lets in (SPEC.md §6).</summary>
public sealed record CurveSecurity(CurveKeyPair ServerKeys, IReadOnlyDictionary<string, string> AuthorizedKeys);
