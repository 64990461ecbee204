namespace ZeroGym;

/// <summary>
/// A request posted on a <see cref="ZeroGymClient"/> without waiting for its reply (pipelining, SPEC.md §1). Replies
/// come back in the order of the requests, so whoever reads the connection next takes them in that order: the reply
/// of the request being awaited is read in place, earlier ones are kept here for their owners (or dropped, once their
/// owner said it no longer wants them).
/// </summary>
internal sealed class PendingReply(ulong id, string op)
{
    /// <summary>The request's id, which its reply carries.</summary>
    public ulong Id { get; } = id;

    /// <summary>The request's op, for timeout and error messages.</summary>
    public string Op { get; } = op;

    /// <summary>Whether the reply has been read off the connection (then <see cref="Payload"/> holds it unless dropped).</summary>
    public bool Arrived { get; set; }

    /// <summary>The reply's bytes, when it was read while another reply was awaited.</summary>
    public byte[]? Payload { get; set; }

    /// <summary>Its owner no longer wants the reply: it is read and dropped when it comes.</summary>
    public bool Dropped { get; set; }

    /// <summary>The connection was reopened after a timeout before the reply came: it will never come.</summary>
    public bool Lost { get; set; }
}
