namespace ZeroGym.Protocol.MessagePack;

/// <summary>
/// Malformed, truncated or over-limit MessagePack. The message names the byte offset, what was expected and
/// what was found, e.g. <c>at byte 12: expected a map, found fixstr (0xa3)</c>.
/// </summary>
public sealed class MessagePackException : Exception
{
    /// <param name="offset">Where in the input (or, when writing, in the output) the problem lies.</param>
    /// <param name="message">What was expected and what was found; the offset is prepended.</param>
    public MessagePackException(int offset, string message)
        : base($"at byte {offset}: {message}")
    {
        Offset = offset;
    }

    /// <summary>The byte offset the message refers to.</summary>
    public int Offset { get; }
}
