using MessagePack;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary>
/// The keys every request has (<c>id</c>, <c>op</c>), read before the server knows which request it holds; the
/// whole payload is checked to be one well-formed map on the way.
/// </summary>
public sealed record RequestHeader : IMessage<RequestHeader>
{
    /// <summary>The request's id; null until read.</summary>
    public ulong? Id { get; set; }

    /// <summary>The request's op; null until read.</summary>
    public string? Op { get; set; }

    /// <inheritdoc/>
    public static MessageShape<RequestHeader> Shape { get; } = new MessageShape<RequestHeader>("request", () => new RequestHeader())
        .NullableUnsigned("id", m => m.Id, (m, v) => m.Id = v)
        .String("op", m => m.Op!, (m, v) => m.Op = v);

    /// <summary>
    /// Reads <paramref name="payload"/>'s id and op into <paramref name="header"/>, as far as needed to find them.
    /// Throws <see cref="MessageFormatException"/> or <see cref="WireDecodeException"/> for a payload that is not a
    /// request map; whatever was read before the problem (the id above all) stays set. With
    /// <paramref name="whole"/>, the whole payload is checked to be exactly one well-formed map.
    /// </summary>
    public static void Read(ReadOnlyMemory<byte> payload, RequestHeader header, bool whole = false)
    {
        var reader = new MessagePackReader(payload);
        Shape.ReadInto(ref reader, header, untilAllRead: !whole);
        if (whole) WireValue.ExpectEnd(ref reader);
        if (header.Id is null) throw new MessageFormatException(ErrorCodes.Malformed, "the request's 'id' must be an unsigned integer; found nil");
    }
}

/// <summary>The keys every reply has: <c>id</c> (nil when the server could not read the request's) and, for errors, <c>error</c>.</summary>
public sealed record ReplyHeader : IMessage<ReplyHeader>
{
    /// <summary>The id of the request answered; null when the server could not read it.</summary>
    public ulong? Id { get; set; }

    /// <summary>Whether the reply is an <see cref="ErrorReply"/>.</summary>
    public bool IsError { get; set; }

    /// <inheritdoc/>
    public static MessageShape<ReplyHeader> Shape { get; } = new MessageShape<ReplyHeader>("reply", () => new ReplyHeader())
        .NullableUnsigned("id", m => m.Id, (m, v) => m.Id = v)
        .Field("error", "an error map", required: false, writtenWhen: _ => false,
            (ref MessagePackWriter _, ReplyHeader _) => { },
            (ref MessagePackReader reader, ReplyHeader message, string _) =>
            {
                message.IsError = true;
                WireValue.Skip(ref reader);
            });

    // The id alone, for a reply that cannot be an error: reading stops once it is found.
    private static readonly MessageShape<ReplyHeader> IdShape = new MessageShape<ReplyHeader>("reply", () => new ReplyHeader())
        .NullableUnsigned("id", m => m.Id, (m, v) => m.Id = v);

    /// <summary>
    /// Reads <paramref name="payload"/>'s id and whether it is an error into <paramref name="header"/>, as far as needed:
    /// an error reply is exactly <c>{id, error}</c> (SPEC.md §2), so a map of more keys is a result and is read only up
    /// to its id (the server writes it first). The message itself is read, and checked whole, afterwards.
    /// </summary>
    /// <exception cref="MessageFormatException">Not a reply map, or no <c>id</c>.</exception>
    /// <exception cref="WireDecodeException">Broken MessagePack.</exception>
    public static void Read(ReadOnlyMemory<byte> payload, ReplyHeader header)
    {
        header.Id = null;
        header.IsError = false;
        var reader = new MessagePackReader(payload);
        bool longerThanAnError;
        try
        {
            var peek = reader.CreatePeekReader();
            longerThanAnError = peek.NextMessagePackType == MessagePackType.Map && peek.ReadMapHeader() > 2;
        }
        catch (Exception error) when (WireValue.IsLibraryDecodeError(error))
        {
            throw WireValue.AsDecodeError(error, 0);
        }

        (longerThanAnError ? IdShape : Shape).ReadInto(ref reader, header, untilAllRead: longerThanAnError);
    }
}
