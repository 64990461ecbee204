namespace ZeroGym.Protocol.Wire;

/// <summary>A MessagePack extension value the wire does not interpret; equal when type and bytes are equal.</summary>
/// <param name="TypeCode">The extension type: 0 to 127 for applications, negative codes are reserved by the spec.</param>
/// <param name="Data">The payload.</param>
public sealed record WireExtension(sbyte TypeCode, byte[] Data)
{
    /// <summary>The payload.</summary>
    public byte[] Data { get; init; } = Data ?? throw new ArgumentNullException(nameof(Data));

    /// <summary>Same type and same bytes.</summary>
    public bool Equals(WireExtension? other) =>
        other is not null && TypeCode == other.TypeCode && Data.AsSpan().SequenceEqual(other.Data);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(TypeCode);
        hash.AddBytes(Data);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => $"ext {TypeCode} [{Convert.ToHexString(Data)}]";
}
