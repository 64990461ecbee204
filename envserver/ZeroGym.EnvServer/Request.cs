using ZeroGym.Protocol.MessagePack;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.EnvServer;

/// <summary>
/// One decoded request (SPEC.md §3). Only the keys of the request's op matter; unknown keys are ignored.
/// Values with a free form (action, options, kwargs) arrive in wire form (<see cref="WireFormat.ReadValue"/>) for the
/// handler to check against the env.
/// </summary>
internal sealed class Request
{
    /// <summary>The client's request id, echoed in the reply; null while unread (then the reply carries nil).</summary>
    public ulong? Id { get; private set; }

    public string Op { get; private set; } = "";

    public long? Handle { get; private set; }

    public object? Action { get; private set; }

    public bool HasAction { get; private set; }

    public object? Seed { get; private set; }

    public object? Options { get; private set; }

    public string? EnvId { get; private set; }

    public object? Kwargs { get; private set; }

    public long? NumEnvs { get; private set; }

    public string? RenderMode { get; private set; }

    public long? ProtocolVersion { get; private set; }

    public string? Client { get; private set; }

    /// <summary>
    /// Decodes <paramref name="payload"/> into <paramref name="request"/>. Throws <see cref="RequestError"/>
    /// (<c>malformed</c>) for anything that is not a map of the right shape; fields read before the error, the
    /// id above all, stay set so the error reply can carry them.
    /// </summary>
    public static void Parse(ReadOnlySpan<byte> payload, Request request)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            if (!reader.TryReadMapHeader(out int count))
            {
                throw Malformed($"a request must be a MessagePack map; found {reader.PeekType()}");
            }

            for (int i = 0; i < count; i++)
            {
                if (reader.PeekType() != MessagePackType.String)
                {
                    throw Malformed($"request keys must be strings; found {reader.PeekType()} at byte {reader.Position}");
                }

                var key = reader.ReadStringBytes();
                if (key.SequenceEqual("id"u8)) request.Id = ReadId(ref reader);
                else if (key.SequenceEqual("op"u8)) request.Op = ReadString(ref reader, "op");
                else if (key.SequenceEqual("handle"u8)) request.Handle = ReadInteger(ref reader, "handle");
                else if (key.SequenceEqual("action"u8)) (request.Action, request.HasAction) = (ReadWireValue(ref reader, "action", ErrorCodes.InvalidAction), true);
                else if (key.SequenceEqual("seed"u8)) request.Seed = reader.ReadValue();
                else if (key.SequenceEqual("options"u8)) request.Options = ReadWireValue(ref reader, "options", ErrorCodes.InvalidArgument);
                else if (key.SequenceEqual("env"u8)) request.EnvId = ReadString(ref reader, "env");
                else if (key.SequenceEqual("kwargs"u8)) request.Kwargs = ReadWireValue(ref reader, "kwargs", ErrorCodes.InvalidArgument);
                else if (key.SequenceEqual("num_envs"u8)) request.NumEnvs = reader.TryReadNil() ? null : ReadInteger(ref reader, "num_envs");
                else if (key.SequenceEqual("render_mode"u8)) request.RenderMode = reader.TryReadNil() ? null : ReadString(ref reader, "render_mode");
                else if (key.SequenceEqual("protocol"u8)) request.ProtocolVersion = ReadInteger(ref reader, "protocol");
                else if (key.SequenceEqual("client"u8)) request.Client = reader.TryReadNil() ? null : ReadString(ref reader, "client");
                else reader.Skip();
            }

            if (!reader.End)
            {
                throw Malformed($"a request is one MessagePack value; {reader.Remaining} bytes follow it");
            }
        }
        catch (MessagePackException error)
        {
            throw new RequestError(ErrorCodes.Malformed, $"the request is not valid MessagePack: {error.Message}", error);
        }

        if (request.Id is null) throw Malformed("the request has no 'id' (an unsigned integer)");
        if (request.Op.Length == 0) throw Malformed("the request has no 'op' (a string such as 'step')");
    }

    /// <summary>A free-form value in wire form (arrays as NDArray); a badly formed array is <paramref name="code"/>.</summary>
    private static object? ReadWireValue(ref MessagePackReader reader, string what, string code)
    {
        try
        {
            return WireFormat.ReadValue(ref reader, what);
        }
        catch (FormatException error)
        {
            throw new RequestError(code, error.Message, error);
        }
    }

    /// <summary>The handle, required by every per-env op.</summary>
    public long RequireHandle() => Handle ?? throw Malformed($"'{Op}' needs a 'handle' (the integer 'make' returned)");

    private static ulong ReadId(ref MessagePackReader reader)
    {
        if (reader.PeekType() != MessagePackType.Integer) throw Malformed($"'id' must be an unsigned integer; found {reader.PeekType()}");
        if (reader.TryReadInt64(out long signed))
        {
            return signed >= 0 ? (ulong)signed : throw Malformed($"'id' must be an unsigned integer; found {signed}");
        }

        return reader.ReadUInt64();
    }

    private static long ReadInteger(ref MessagePackReader reader, string key)
    {
        if (reader.PeekType() != MessagePackType.Integer || !reader.TryReadInt64(out long value))
        {
            throw Malformed($"'{key}' must be an integer; found {reader.PeekType()}");
        }

        return value;
    }

    private static string ReadString(ref MessagePackReader reader, string key) =>
        reader.TryReadString(out var value) && value is not null
            ? value
            : throw Malformed($"'{key}' must be a string; found {reader.PeekType()}");

    private static RequestError Malformed(string message) => new(ErrorCodes.Malformed, message);
}
