using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>ping</c>: a round trip.</summary>
public sealed record PingRequest : Request, IRequest<PingRequest>
{
    /// <inheritdoc/>
    public static string Op => Ops.Ping;

    /// <inheritdoc/>
    public static MessageShape<PingRequest> Shape { get; } = Declare<PingRequest>(Ops.Ping);
}

/// <summary>The server's clock.</summary>
public sealed record PingReply : Reply, IMessage<PingReply>
{
    /// <summary>The server's Unix time in seconds.</summary>
    public double Time { get; set; }

    /// <inheritdoc/>
    public static MessageShape<PingReply> Shape { get; } = Declare<PingReply>("ping reply")
        .Number("time", m => m.Time, (m, v) => m.Time = v);
}
