using MessagePack;

namespace ZeroGym.Protocol.Wire;

/// <summary>
/// Bytes that are not one well-formed MessagePack value the wire accepts: truncated, a length that runs past the end,
/// nesting deeper than the limit, the never-used code 0xc1, a nil or repeated map key.
/// </summary>
/// <param name="offset">Where in the input the offending value starts.</param>
/// <param name="problem">What was expected and what was found there.</param>
public sealed class WireDecodeException(long offset, string problem, Exception? inner = null)
    : MessagePackSerializationException($"at byte {offset}: {problem}", inner)
{
    /// <summary>Where in the input the offending value starts.</summary>
    public long Offset { get; } = offset;
}
