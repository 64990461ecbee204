namespace ZeroGym.Protocol.MessagePack;

/// <summary>Decodes a whole message into the generic tree of <see cref="MessagePackReader.ReadValue"/>.</summary>
public static class MessagePackSerializer
{
    /// <summary>Reads exactly one value; bytes after it are an error.</summary>
    /// <exception cref="MessagePackException">Malformed, truncated or over-limit input, or trailing bytes.</exception>
    public static object? Deserialize(ReadOnlySpan<byte> bytes, MessagePackLimits? limits = null)
    {
        var reader = new MessagePackReader(bytes, limits);
        object? value = reader.ReadValue();
        if (!reader.End)
        {
            throw new MessagePackException(
                reader.Position, $"expected the end of the input after one value, found {reader.Remaining} more bytes");
        }

        return value;
    }
}
