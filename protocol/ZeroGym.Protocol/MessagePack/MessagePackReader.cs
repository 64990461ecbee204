using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using Code = ZeroGym.Protocol.MessagePack.MessagePackCode;

namespace ZeroGym.Protocol.MessagePack;

/// <summary>
/// Reads MessagePack values one after another from a span, assuming the input may be hostile: every length is
/// checked against the bytes that remain before anything is allocated, and nesting is limited.
/// </summary>
/// <remarks>
/// <c>Read*</c> consumes one value or throws <see cref="MessagePackException"/> (truncated input, another type,
/// an integer out of range). <c>TryRead*</c> returns false without consuming anything when the next value is of
/// another type, and still throws on truncated input and on the never-used code 0xc1. After an exception the
/// position is unspecified.
/// </remarks>
public ref partial struct MessagePackReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _maxDepth;
    private int _position;

    /// <param name="bytes">The input; values returned as spans are slices of it.</param>
    /// <param name="limits">Bounds for nesting; <see cref="MessagePackLimits.Default"/> when null.</param>
    public MessagePackReader(ReadOnlySpan<byte> bytes, MessagePackLimits? limits = null)
    {
        _bytes = bytes;
        _maxDepth = (limits ?? MessagePackLimits.Default).MaxDepth;
    }

    /// <summary>How many bytes have been consumed.</summary>
    public readonly int Position => _position;

    /// <summary>How many bytes are left.</summary>
    public readonly int Remaining => _bytes.Length - _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool End => _position >= _bytes.Length;

    /// <summary>The type of the next value, without consuming it.</summary>
    /// <exception cref="MessagePackException">At the end of the input, or the next byte is 0xc1.</exception>
    public readonly MessagePackType PeekType()
    {
        byte code = PeekCode();
        return Code.TypeOf(code) ?? throw WrongType(_position, "a value", code);
    }

    /// <summary>Consumes a nil and returns true; returns false, consuming nothing, for any other value.</summary>
    public bool TryReadNil()
    {
        if (PeekType() != MessagePackType.Nil) return false;
        _position++;
        return true;
    }

    /// <summary>Consumes a nil.</summary>
    public void ReadNil()
    {
        if (!TryReadNil()) throw WrongType(_position, "nil", _bytes[_position]);
    }

    /// <summary>Reads true or false.</summary>
    public bool ReadBoolean()
    {
        byte code = PeekCode();
        if (code is not (Code.False or Code.True)) throw WrongType(_position, "a boolean", code);
        _position++;
        return code == Code.True;
    }

    /// <summary>Like <see cref="ReadBoolean"/>, but returns false, consuming nothing, when the next value is not a bool.</summary>
    public bool TryReadBoolean(out bool value)
    {
        value = false;
        if (PeekType() != MessagePackType.Boolean) return false;
        value = ReadBoolean();
        return true;
    }

    /// <summary>Reads an integer of any format whose value fits in a <see cref="long"/>.</summary>
    public long ReadInt64()
    {
        int start = _position;
        long value = ReadInteger(out bool aboveInt64);
        if (aboveInt64)
        {
            throw new MessagePackException(start, $"expected an integer that fits Int64, found {unchecked((ulong)value)}");
        }

        return value;
    }

    /// <summary>
    /// Like <see cref="ReadInt64"/>, but returns false, consuming nothing, when the next value is not an integer or
    /// is above <see cref="long.MaxValue"/> (then <see cref="ReadUInt64"/> can read it).
    /// </summary>
    public bool TryReadInt64(out long value)
    {
        value = 0;
        if (PeekType() != MessagePackType.Integer) return false;
        int start = _position;
        long integer = ReadInteger(out bool aboveInt64);
        if (aboveInt64)
        {
            _position = start;
            return false;
        }

        value = integer;
        return true;
    }

    /// <summary>Reads a non-negative integer of any format.</summary>
    public ulong ReadUInt64()
    {
        int start = _position;
        long value = ReadInteger(out bool aboveInt64);
        if (!aboveInt64 && value < 0)
        {
            throw new MessagePackException(start, $"expected a non-negative integer, found {value}");
        }

        return unchecked((ulong)value);
    }

    /// <summary>Reads an integer of any format whose value fits in an <see cref="int"/>.</summary>
    public int ReadInt32()
    {
        int start = _position;
        long value = ReadInt64();
        if (value is < int.MinValue or > int.MaxValue)
        {
            throw new MessagePackException(start, $"expected an integer that fits Int32, found {value}");
        }

        return (int)value;
    }

    /// <summary>Reads a float 32, a float 64 or an integer of any format as a double.</summary>
    public double ReadDouble()
    {
        int start = _position;
        byte code = PeekCode();
        switch (Code.TypeOf(code))
        {
            case MessagePackType.Float:
                _position++;
                return code == Code.Float32
                    ? BinaryPrimitives.ReadSingleBigEndian(ReadPayload(start, code, sizeof(float)))
                    : BinaryPrimitives.ReadDoubleBigEndian(ReadPayload(start, code, sizeof(double)));
            case MessagePackType.Integer:
                long value = ReadInteger(out bool aboveInt64);
                return aboveInt64 ? unchecked((ulong)value) : value;
            default:
                throw WrongType(start, "a number", code);
        }
    }

    /// <summary>Like <see cref="ReadDouble"/>, but returns false, consuming nothing, when the next value is not a number.</summary>
    public bool TryReadDouble(out double value)
    {
        value = 0;
        if (PeekType() is not (MessagePackType.Float or MessagePackType.Integer)) return false;
        value = ReadDouble();
        return true;
    }

    /// <summary>Reads a float 32, or a float 64 or an integer rounded to the nearest float.</summary>
    public float ReadSingle()
    {
        int start = _position;
        byte code = PeekCode();
        if (code != Code.Float32) return (float)ReadDouble();
        _position++;
        return BinaryPrimitives.ReadSingleBigEndian(ReadPayload(start, code, sizeof(float)));
    }

    /// <summary>Reads a str; invalid UTF-8 is an error.</summary>
    public string ReadString()
    {
        ReadOnlySpan<byte> utf8 = ReadStringBytes();
        return utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8);
    }

    /// <summary>Like <see cref="ReadString"/>, but returns false, consuming nothing, when the next value is not a str (nil included).</summary>
    public bool TryReadString([NotNullWhen(true)] out string? value)
    {
        value = null;
        if (PeekType() != MessagePackType.String) return false;
        value = ReadString();
        return true;
    }

    /// <summary>The validated UTF-8 bytes of a str, as a slice of the input (for matching keys without allocating).</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        int start = _position;
        byte code = PeekCode();
        if (Code.TypeOf(code) != MessagePackType.String) throw WrongType(start, "a str", code);
        ReadOnlySpan<byte> utf8 = ReadStringPayload(start, code);
        if (!Utf8.IsValid(utf8)) throw InvalidUtf8(start, code, utf8);
        return utf8;
    }

    /// <summary>The bytes of a bin, as a slice of the input.</summary>
    public ReadOnlySpan<byte> ReadBinary()
    {
        int start = _position;
        byte code = PeekCode();
        if (Code.TypeOf(code) != MessagePackType.Binary) throw WrongType(start, "a bin", code);
        _position++;
        long length = ReadLength(start, code, code switch { Code.Bin8 => 1, Code.Bin16 => 2, _ => 4 });
        return ReadPayload(start, code, length);
    }

    /// <summary>Reads an array header; the elements follow as the next values.</summary>
    public int ReadArrayHeader()
    {
        int start = _position;
        byte code = PeekCode();
        if (Code.TypeOf(code) != MessagePackType.Array) throw WrongType(start, "an array", code);
        _position++;
        long count = code switch
        {
            Code.Array16 => ReadLength(start, code, 2),
            Code.Array32 => ReadLength(start, code, 4),
            _ => code - Code.MinFixArray,
        };

        // Every element takes at least one byte, so a larger count cannot be honest.
        EnsureRemaining(start, code, count, "elements");
        return (int)count;
    }

    /// <summary>Like <see cref="ReadArrayHeader"/>, but returns false, consuming nothing, when the next value is not an array.</summary>
    public bool TryReadArrayHeader(out int count)
    {
        count = 0;
        if (PeekType() != MessagePackType.Array) return false;
        count = ReadArrayHeader();
        return true;
    }

    /// <summary>Reads a map header; the entries follow as key, value, key, value...</summary>
    public int ReadMapHeader()
    {
        int start = _position;
        byte code = PeekCode();
        if (Code.TypeOf(code) != MessagePackType.Map) throw WrongType(start, "a map", code);
        _position++;
        long count = code switch
        {
            Code.Map16 => ReadLength(start, code, 2),
            Code.Map32 => ReadLength(start, code, 4),
            _ => code - Code.MinFixMap,
        };

        // Every key and every value takes at least one byte.
        EnsureRemaining(start, code, 2 * count, "keys and values");
        return (int)count;
    }

    /// <summary>Like <see cref="ReadMapHeader"/>, but returns false, consuming nothing, when the next value is not a map.</summary>
    public bool TryReadMapHeader(out int count)
    {
        count = 0;
        if (PeekType() != MessagePackType.Map) return false;
        count = ReadMapHeader();
        return true;
    }

    /// <summary>Reads an extension of any type (timestamps included) as a copy of its bytes.</summary>
    public MessagePackExtension ReadExtension()
    {
        sbyte type = ReadExtensionHeader(out ReadOnlySpan<byte> data);
        return new MessagePackExtension(type, data.ToArray());
    }

    /// <summary>Reads an extension of type -1 in its 32-, 64- or 96-bit form.</summary>
    public MessagePackTimestamp ReadTimestamp()
    {
        int start = _position;
        sbyte type = ReadExtensionHeader(out ReadOnlySpan<byte> data);
        if (type != Code.TimestampType)
        {
            throw new MessagePackException(start, $"expected a timestamp (ext type -1), found ext type {type}");
        }

        return DecodeTimestamp(start, data);
    }

    private readonly byte PeekCode()
    {
        if (_position >= _bytes.Length)
        {
            throw new MessagePackException(_position, "expected a value, found the end of the input");
        }

        return _bytes[_position];
    }

    // Reads any integer format. Values above long.MaxValue (uint 64 only) come back as their bit pattern.
    private long ReadInteger(out bool aboveInt64)
    {
        int start = _position;
        byte code = PeekCode();
        aboveInt64 = false;
        if (code is <= Code.MaxPositiveFixInt or >= Code.MinNegativeFixInt)
        {
            _position++;
            return unchecked((sbyte)code);
        }

        if (Code.TypeOf(code) != MessagePackType.Integer) throw WrongType(start, "an integer", code);
        _position++;
        switch (code)
        {
            case Code.UInt8: return ReadPayload(start, code, 1)[0];
            case Code.UInt16: return BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(start, code, 2));
            case Code.UInt32: return BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(start, code, 4));
            case Code.UInt64:
                ulong value = BinaryPrimitives.ReadUInt64BigEndian(ReadPayload(start, code, 8));
                aboveInt64 = value > long.MaxValue;
                return unchecked((long)value);
            case Code.Int8: return unchecked((sbyte)ReadPayload(start, code, 1)[0]);
            case Code.Int16: return BinaryPrimitives.ReadInt16BigEndian(ReadPayload(start, code, 2));
            case Code.Int32: return BinaryPrimitives.ReadInt32BigEndian(ReadPayload(start, code, 4));
            default: return BinaryPrimitives.ReadInt64BigEndian(ReadPayload(start, code, 8));
        }
    }

    // The bytes of a str of any format, not yet validated as UTF-8.
    private ReadOnlySpan<byte> ReadStringPayload(int start, byte code)
    {
        _position++;
        long length = code switch
        {
            Code.Str8 => ReadLength(start, code, 1),
            Code.Str16 => ReadLength(start, code, 2),
            Code.Str32 => ReadLength(start, code, 4),
            _ => code - Code.MinFixStr,
        };
        return ReadPayload(start, code, length);
    }

    // Reads the header of any extension format and returns its type and a slice of its data.
    private sbyte ReadExtensionHeader(out ReadOnlySpan<byte> data)
    {
        int start = _position;
        byte code = PeekCode();
        if (Code.TypeOf(code) != MessagePackType.Extension) throw WrongType(start, "an ext", code);
        _position++;
        long length = code switch
        {
            Code.FixExt1 => 1,
            Code.FixExt2 => 2,
            Code.FixExt4 => 4,
            Code.FixExt8 => 8,
            Code.FixExt16 => 16,
            Code.Ext8 => ReadLength(start, code, 1),
            Code.Ext16 => ReadLength(start, code, 2),
            _ => ReadLength(start, code, 4),
        };
        sbyte type = unchecked((sbyte)ReadPayload(start, code, 1)[0]);
        data = ReadPayload(start, code, length);
        return type;
    }

    private static MessagePackTimestamp DecodeTimestamp(int start, ReadOnlySpan<byte> data)
    {
        long seconds;
        ulong nanoseconds;
        switch (data.Length)
        {
            case 4:
                return new MessagePackTimestamp(BinaryPrimitives.ReadUInt32BigEndian(data), 0);
            case 8:
                // The upper 30 bits hold the nanoseconds, the lower 34 bits the seconds.
                ulong packed = BinaryPrimitives.ReadUInt64BigEndian(data);
                nanoseconds = packed >> 34;
                seconds = (long)(packed & 0x3_ffff_ffffUL);
                break;
            case 12:
                nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(data);
                seconds = BinaryPrimitives.ReadInt64BigEndian(data[4..]);
                break;
            default:
                throw new MessagePackException(start, $"expected a timestamp of 4, 8 or 12 bytes, found {data.Length} bytes");
        }

        if (nanoseconds >= MessagePackTimestamp.NanosecondsPerSecond)
        {
            throw new MessagePackException(start, $"expected a timestamp with at most 999999999 nanoseconds, found {nanoseconds}");
        }

        return new MessagePackTimestamp(seconds, (uint)nanoseconds);
    }

    // Reads the big-endian length or count of `size` bytes that follows a format's first byte.
    private long ReadLength(int start, byte code, int size)
    {
        ReadOnlySpan<byte> bytes = ReadPayload(start, code, size);
        return size switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadUInt32BigEndian(bytes),
        };
    }

    // Consumes the next `length` bytes of the value that starts at `start`.
    private ReadOnlySpan<byte> ReadPayload(int start, byte code, long length)
    {
        EnsureRemaining(start, code, length, "bytes");
        ReadOnlySpan<byte> payload = _bytes.Slice(_position, (int)length);
        _position += (int)length;
        return payload;
    }

    private readonly void EnsureRemaining(int start, byte code, long needed, string what)
    {
        if (needed > Remaining) throw Truncated(start, code, needed, what, Remaining);
    }

    // Builds messages away from the hot paths, so those stay small enough to inline.
    private static MessagePackException Truncated(int start, byte code, long needed, string what, int remaining) =>
        new(start, $"expected {needed} more {what} for {Code.Describe(code)}, found {remaining} bytes left");

    private static MessagePackException WrongType(int offset, string expected, byte code) =>
        new(offset, $"expected {expected}, found {Code.Describe(code)}");

    private MessagePackException InvalidUtf8(int start, byte code, ReadOnlySpan<byte> utf8)
    {
        int valid = 0;
        while (Rune.DecodeFromUtf8(utf8[valid..], out _, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            valid += consumed;
        }

        int offset = _position - utf8.Length + valid;
        return new MessagePackException(
            offset, $"expected UTF-8 text in the {Code.Describe(code)} at byte {start}, found the invalid byte 0x{utf8[valid]:x2}");
    }
}
