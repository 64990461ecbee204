namespace ZeroGym.Protocol.Messages;

/// <summary>
/// A message that is valid MessagePack but not the message it should be: not a map, a required key missing, a
/// value of the wrong type. <see cref="Code"/> is the SPEC.md §3.2 code a server answers with (usually
/// <c>malformed</c>; a free-form value such as an action may name its own, e.g. <c>invalid_action</c>).
/// </summary>
public sealed class MessageFormatException(string code, string message, Exception? inner = null) : FormatException(message, inner)
{
    /// <summary>The SPEC.md §3.2 error code of the problem.</summary>
    public string Code { get; } = code;
}
