namespace ZeroGym.Protocol.MessagePack;

/// <summary>An extension value of an application-defined type; equal when type and bytes are equal.</summary>
/// <param name="TypeCode">The extension type: 0 to 127 for applications, negative codes are reserved by the spec.</param>
/// <param name="Data">The payload, not interpreted by the codec.</param>
public sealed record MessagePackExtension(sbyte TypeCode, byte[] Data)
{
    public byte[] Data { get; init; } = Data ?? throw new ArgumentNullException(nameof(Data));

    public bool Equals(MessagePackExtension? other) =>
        other is not null && TypeCode == other.TypeCode && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(TypeCode);
        hash.AddBytes(Data);
        return hash.ToHashCode();
    }

    public override string ToString() => $"ext {TypeCode} [{Convert.ToHexString(Data)}]";
}
