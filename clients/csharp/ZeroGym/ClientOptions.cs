namespace ZeroGym;

/// <summary>How a client talks to a server.</summary>
public sealed record ClientOptions
{
    /// <summary>How long to wait for each reply before giving up with a <see cref="ServerTimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Name and version the server writes in its log for this client.</summary>
    public string ClientName { get; init; } = $"zerogym-dotnet/{typeof(ClientOptions).Assembly.GetName().Version?.ToString(3)}";

    /// <summary>
    /// The server's CURVE public key (its <c>NAME.pub</c> file or the 40 Z85 characters) for an encrypted,
    /// authenticated connection; needs <see cref="CurveClientKey"/>. Null: plain text.
    /// </summary>
    public string? CurveServerKey { get; init; }

    /// <summary>This client's CURVE key pair: the <c>NAME.key</c> file of scripts/keygen or its secret key in Z85.
    /// The server must list the public half in its authorized keys.</summary>
    public string? CurveClientKey { get; init; }

    /// <summary>
    /// For a server whose process the caller owns (the env server's own worker processes): asked about every 100 ms
    /// while a reply is awaited over ZeroMQ, and as soon as the server closes a local stream; once it returns false
    /// the call fails at once with a <see cref="ServerGoneException"/> instead of waiting out <see cref="Timeout"/>.
    /// Null: only the timeout ends a wait.
    /// </summary>
    public Func<bool>? ServerAlive { get; init; }

    /// <summary>
    /// Move to the server's same-host Unix stream socket after <c>hello</c> when it offers one (SPEC.md §1.1) and the
    /// address is on this host (<c>ipc://</c> or loopback): the same messages without ZeroMQ's I/O threads, so each round
    /// trip wakes two threads instead of six. Never with CURVE keys, which are ZeroMQ's.
    /// </summary>
    public bool LocalStream { get; init; } = true;
}
