using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Code = ZeroGym.Protocol.MessagePack.MessagePackCode;

namespace ZeroGym.Protocol.MessagePack;

/// <summary>
/// Appends MessagePack values to an <see cref="IBufferWriter{T}"/> (usually an
/// <see cref="ArrayBufferWriter{T}"/>), always in the smallest format that holds the value.
/// </summary>
/// <remarks>Floats keep their width: a <see cref="float"/> is a float 32, a <see cref="double"/> a float 64.</remarks>
public sealed partial class MessagePackWriter
{
    // Unpaired surrogates cannot become UTF-8; refuse them instead of sending U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly IBufferWriter<byte> _output;
    private readonly int _maxDepth;
    private long _written;

    /// <param name="output">Where the bytes go.</param>
    /// <param name="limits">Bounds for <see cref="WriteValue"/> nesting; <see cref="MessagePackLimits.Default"/> when null.</param>
    public MessagePackWriter(IBufferWriter<byte> output, MessagePackLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _maxDepth = (limits ?? MessagePackLimits.Default).MaxDepth;
    }

    /// <summary>Writes nil.</summary>
    public void WriteNil() => WriteCode(Code.Nil);

    /// <summary>Writes true or false.</summary>
    public void Write(bool value) => WriteCode(value ? Code.True : Code.False);

    /// <summary>Writes a fixint, or the smallest uint (for positive values) or int format.</summary>
    public void Write(long value)
    {
        if (value >= 0)
        {
            Write((ulong)value);
        }
        else if (value >= -32)
        {
            WriteCode(unchecked((byte)value));
        }
        else if (value >= sbyte.MinValue)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = Code.Int8;
            span[1] = unchecked((byte)value);
            Advance(2);
        }
        else if (value >= short.MinValue)
        {
            Span<byte> span = _output.GetSpan(3);
            span[0] = Code.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            Advance(3);
        }
        else if (value >= int.MinValue)
        {
            Span<byte> span = _output.GetSpan(5);
            span[0] = Code.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            Advance(5);
        }
        else
        {
            Span<byte> span = _output.GetSpan(9);
            span[0] = Code.Int64;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            Advance(9);
        }
    }

    /// <summary>Writes a positive fixint or the smallest uint format.</summary>
    public void Write(ulong value)
    {
        if (value <= Code.MaxPositiveFixInt)
        {
            WriteCode((byte)value);
        }
        else if (value <= byte.MaxValue)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = Code.UInt8;
            span[1] = (byte)value;
            Advance(2);
        }
        else if (value <= ushort.MaxValue)
        {
            WriteCodeAndUInt16(Code.UInt16, (ushort)value);
        }
        else if (value <= uint.MaxValue)
        {
            WriteCodeAndUInt32(Code.UInt32, (uint)value);
        }
        else
        {
            Span<byte> span = _output.GetSpan(9);
            span[0] = Code.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            Advance(9);
        }
    }

    /// <summary>Writes a fixint, or the smallest uint (for positive values) or int format.</summary>
    public void Write(int value) => Write((long)value);

    /// <summary>Writes a float 32.</summary>
    public void Write(float value)
    {
        Span<byte> span = _output.GetSpan(5);
        span[0] = Code.Float32;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        Advance(5);
    }

    /// <summary>Writes a float 64.</summary>
    public void Write(double value)
    {
        Span<byte> span = _output.GetSpan(9);
        span[0] = Code.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        Advance(9);
    }

    /// <summary>Writes a str in UTF-8, or nil for null.</summary>
    /// <exception cref="ArgumentException">The string holds an unpaired surrogate.</exception>
    public void Write(string? value)
    {
        if (value is null)
        {
            WriteNil();
            return;
        }

        int length = StrictUtf8.GetByteCount(value);
        WriteStringHeader(length);
        StrictUtf8.GetBytes(value, _output.GetSpan(length));
        Advance(length);
    }

    /// <summary>Writes a str from bytes that are already UTF-8.</summary>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8.</exception>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8)) throw new ArgumentException("expected valid UTF-8 for a str, found invalid bytes", nameof(utf8));
        WriteStringHeader(utf8.Length);
        WriteBytes(utf8);
    }

    /// <summary>Writes a bin 8, 16 or 32, whichever holds the length.</summary>
    public void WriteBinary(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= byte.MaxValue)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = Code.Bin8;
            span[1] = (byte)bytes.Length;
            Advance(2);
        }
        else if (bytes.Length <= ushort.MaxValue)
        {
            WriteCodeAndUInt16(Code.Bin16, (ushort)bytes.Length);
        }
        else
        {
            WriteCodeAndUInt32(Code.Bin32, (uint)bytes.Length);
        }

        WriteBytes(bytes);
    }

    /// <summary>Starts an array; write <paramref name="count"/> values next.</summary>
    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= Code.MaxFixArrayCount) WriteCode((byte)(Code.MinFixArray + count));
        else if (count <= ushort.MaxValue) WriteCodeAndUInt16(Code.Array16, (ushort)count);
        else WriteCodeAndUInt32(Code.Array32, (uint)count);
    }

    /// <summary>Starts a map; write <paramref name="count"/> keys and values next, alternating.</summary>
    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= Code.MaxFixMapCount) WriteCode((byte)(Code.MinFixMap + count));
        else if (count <= ushort.MaxValue) WriteCodeAndUInt16(Code.Map16, (ushort)count);
        else WriteCodeAndUInt32(Code.Map32, (uint)count);
    }

    /// <summary>Writes an extension in a fixext format when the length allows, else ext 8, 16 or 32.</summary>
    public void WriteExtension(sbyte typeCode, ReadOnlySpan<byte> data)
    {
        byte fixCode = data.Length switch
        {
            1 => Code.FixExt1,
            2 => Code.FixExt2,
            4 => Code.FixExt4,
            8 => Code.FixExt8,
            16 => Code.FixExt16,
            _ => 0,
        };

        if (fixCode != 0)
        {
            WriteCode(fixCode);
        }
        else if (data.Length <= byte.MaxValue)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = Code.Ext8;
            span[1] = (byte)data.Length;
            Advance(2);
        }
        else if (data.Length <= ushort.MaxValue)
        {
            WriteCodeAndUInt16(Code.Ext16, (ushort)data.Length);
        }
        else
        {
            WriteCodeAndUInt32(Code.Ext32, (uint)data.Length);
        }

        WriteCode(unchecked((byte)typeCode));
        WriteBytes(data);
    }

    /// <summary>Writes extension -1 in the smallest of its 32-, 64- and 96-bit forms.</summary>
    public void WriteTimestamp(MessagePackTimestamp timestamp)
    {
        Span<byte> span;
        if (timestamp.Seconds >> 34 == 0)
        {
            // 64-bit form: nanoseconds in the upper 30 bits, seconds in the lower 34.
            ulong packed = ((ulong)timestamp.Nanoseconds << 34) | (ulong)timestamp.Seconds;
            if (packed <= uint.MaxValue)
            {
                span = _output.GetSpan(6);
                span[0] = Code.FixExt4;
                span[1] = unchecked((byte)Code.TimestampType);
                BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)packed);
                Advance(6);
                return;
            }

            span = _output.GetSpan(10);
            span[0] = Code.FixExt8;
            span[1] = unchecked((byte)Code.TimestampType);
            BinaryPrimitives.WriteUInt64BigEndian(span[2..], packed);
            Advance(10);
            return;
        }

        span = _output.GetSpan(15);
        span[0] = Code.Ext8;
        span[1] = 12;
        span[2] = unchecked((byte)Code.TimestampType);
        BinaryPrimitives.WriteUInt32BigEndian(span[3..], timestamp.Nanoseconds);
        BinaryPrimitives.WriteInt64BigEndian(span[7..], timestamp.Seconds);
        Advance(15);
    }

    private void WriteStringHeader(int length)
    {
        if (length <= Code.MaxFixStrLength)
        {
            WriteCode((byte)(Code.MinFixStr + length));
        }
        else if (length <= byte.MaxValue)
        {
            Span<byte> span = _output.GetSpan(2);
            span[0] = Code.Str8;
            span[1] = (byte)length;
            Advance(2);
        }
        else if (length <= ushort.MaxValue)
        {
            WriteCodeAndUInt16(Code.Str16, (ushort)length);
        }
        else
        {
            WriteCodeAndUInt32(Code.Str32, (uint)length);
        }
    }

    private void WriteCode(byte code)
    {
        _output.GetSpan(1)[0] = code;
        Advance(1);
    }

    private void WriteCodeAndUInt16(byte code, ushort value)
    {
        Span<byte> span = _output.GetSpan(3);
        span[0] = code;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], value);
        Advance(3);
    }

    private void WriteCodeAndUInt32(byte code, uint value)
    {
        Span<byte> span = _output.GetSpan(5);
        span[0] = code;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], value);
        Advance(5);
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    private void Advance(int count)
    {
        _output.Advance(count);
        _written += count;
    }
}
