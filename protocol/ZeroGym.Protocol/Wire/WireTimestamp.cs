using System.Buffers.Binary;

namespace ZeroGym.Protocol.Wire;

/// <summary>
/// The MessagePack timestamp (extension type -1): seconds since 1970-01-01T00:00:00Z plus nanoseconds, with the full
/// range of the 96-bit form. The protocol sends none; it is read and written so that generic values survive the wire.
/// </summary>
/// <param name="Seconds">Whole seconds since the Unix epoch (negative before 1970).</param>
/// <param name="Nanoseconds">Added to <paramref name="Seconds"/>; 0 to 999,999,999.</param>
public readonly record struct WireTimestamp(long Seconds, uint Nanoseconds)
{
    /// <summary>The extension type of timestamps.</summary>
    public const sbyte TypeCode = -1;

    private const uint NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Added to <see cref="Seconds"/>; 0 to 999,999,999.</summary>
    public uint Nanoseconds { get; } = Nanoseconds < NanosecondsPerSecond
        ? Nanoseconds
        : throw new ArgumentOutOfRangeException(nameof(Nanoseconds), Nanoseconds, "expected 0 to 999,999,999 nanoseconds");

    /// <summary>Decodes the 4-, 8- or 12-byte payload of an extension -1; null when it is none of these.</summary>
    public static WireTimestamp? TryDecode(ReadOnlySpan<byte> data)
    {
        switch (data.Length)
        {
            case 4:
                return new WireTimestamp(BinaryPrimitives.ReadUInt32BigEndian(data), 0);
            case 8:
                ulong packed = BinaryPrimitives.ReadUInt64BigEndian(data);
                uint nanoseconds = (uint)(packed >> 34);
                return nanoseconds < NanosecondsPerSecond ? new WireTimestamp((long)(packed & 0x3_ffff_ffffUL), nanoseconds) : null;
            case 12:
                uint nanos = BinaryPrimitives.ReadUInt32BigEndian(data);
                return nanos < NanosecondsPerSecond ? new WireTimestamp(BinaryPrimitives.ReadInt64BigEndian(data[4..]), nanos) : null;
            default:
                return null;
        }
    }

    /// <summary>The payload in the smallest of the three forms, as the MessagePack spec asks.</summary>
    public byte[] Encode()
    {
        if (Seconds >= 0 && Seconds >> 34 == 0)
        {
            if (Nanoseconds == 0 && Seconds <= uint.MaxValue)
            {
                var small = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(small, (uint)Seconds);
                return small;
            }

            var middle = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(middle, ((ulong)Nanoseconds << 34) | (ulong)Seconds);
            return middle;
        }

        var large = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(large, Nanoseconds);
        BinaryPrimitives.WriteInt64BigEndian(large.AsSpan(4), Seconds);
        return large;
    }
}
