using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>hello</c>: the client's protocol version and, optionally, its name for the server's log.</summary>
public sealed record HelloRequest : Request, IRequest<HelloRequest>
{
    /// <summary>The protocol version the client speaks.</summary>
    public long Protocol { get; set; } = ProtocolConstants.Version;

    /// <summary>Name and version of the client, for the server's log.</summary>
    public string? Client { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Hello;

    /// <inheritdoc/>
    public static MessageShape<HelloRequest> Shape { get; } = Declare<HelloRequest>(Ops.Hello)
        .Integer("protocol", m => m.Protocol, (m, v) => m.Protocol = v)
        .OptionalString("client", m => m.Client, (m, v) => m.Client = v);
}

/// <summary>The server's answer to <c>hello</c>: what it is and the limits it applies.</summary>
public sealed record HelloReply : Reply, IMessage<HelloReply>
{
    /// <summary>The protocol version the server speaks.</summary>
    public long Protocol { get; set; }

    /// <summary>Always <see cref="ProtocolConstants.ServerName"/>.</summary>
    public string Server { get; set; } = ProtocolConstants.ServerName;

    /// <summary>The server's version.</summary>
    public string Version { get; set; } = "";

    /// <summary>The optional parts the server offers.</summary>
    public IReadOnlyList<string> Capabilities { get; set; } = [];

    /// <summary>Requests larger than this are answered with <c>too_large</c>.</summary>
    public long MaxMessageBytes { get; set; }

    /// <summary>Seconds of silence after which a client's envs are closed.</summary>
    public double IdleTimeout { get; set; }

    /// <summary>
    /// The path of the server's same-host Unix stream socket (protocol 1.4, capability <c>local_stream</c>, SPEC.md
    /// §1.1), or null when it offers none.
    /// </summary>
    public string? LocalStream { get; set; }

    /// <inheritdoc/>
    public static MessageShape<HelloReply> Shape { get; } = Declare<HelloReply>("hello reply")
        .Integer("protocol", m => m.Protocol, (m, v) => m.Protocol = v)
        .String("server", m => m.Server, (m, v) => m.Server = v)
        .String("version", m => m.Version, (m, v) => m.Version = v)
        .Strings("capabilities", m => m.Capabilities, (m, v) => m.Capabilities = v)
        .Integer("max_message_bytes", m => m.MaxMessageBytes, (m, v) => m.MaxMessageBytes = v)
        .Number("idle_timeout", m => m.IdleTimeout, (m, v) => m.IdleTimeout = v)
        .OptionalString("local_stream", m => m.LocalStream, (m, v) => m.LocalStream = v);
}
