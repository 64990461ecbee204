namespace ZeroGym.Protocol.Messages;

/// <summary>A rejected request (SPEC.md §3.2): <c>{id, error: {code, message}}</c>.</summary>
public sealed record ErrorReply : IMessage<ErrorReply>
{
    /// <summary>The request's id; null when it could not be read.</summary>
    public ulong? Id { get; set; }

    /// <summary>The code and the message.</summary>
    public ErrorBody Error { get; set; } = new();

    /// <inheritdoc/>
    public static MessageShape<ErrorReply> Shape { get; } = new MessageShape<ErrorReply>("error reply", () => new ErrorReply())
        .NullableUnsigned("id", m => m.Id, (m, v) => m.Id = v)
        .Message("error", ErrorBody.Shape, m => m.Error, (m, v) => m.Error = v);
}

/// <summary>The <c>error</c> map of an error reply.</summary>
public sealed record ErrorBody : IMessage<ErrorBody>
{
    /// <summary>One of SPEC.md §3.2's codes (<see cref="ErrorCodes"/>), for programs.</summary>
    public string Code { get; set; } = "";

    /// <summary>For people: what was expected and what was found.</summary>
    public string Message { get; set; } = "";

    /// <inheritdoc/>
    public static MessageShape<ErrorBody> Shape { get; } = new MessageShape<ErrorBody>("error", () => new ErrorBody())
        .String("code", m => m.Code, (m, v) => m.Code = v)
        .String("message", m => m.Message, (m, v) => m.Message = v);
}
