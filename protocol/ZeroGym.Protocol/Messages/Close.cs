using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>close</c>: removes the env.</summary>
public sealed record CloseRequest : HandleRequest, IRequest<CloseRequest>
{
    /// <inheritdoc/>
    public static string Op => Ops.Close;

    /// <inheritdoc/>
    public static MessageShape<CloseRequest> Shape { get; } = DeclareWithHandle<CloseRequest>(Ops.Close);
}

/// <summary>The env is closed: the reply has only <c>id</c>.</summary>
public sealed record CloseReply : Reply, IMessage<CloseReply>
{
    /// <inheritdoc/>
    public static MessageShape<CloseReply> Shape { get; } = Declare<CloseReply>("close reply");
}
