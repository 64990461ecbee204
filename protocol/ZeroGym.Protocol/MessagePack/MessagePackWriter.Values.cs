using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;

namespace ZeroGym.Protocol.MessagePack;

// Whole values: the generic tree.
public sealed partial class MessagePackWriter
{
    private int _depth;

    /// <summary>
    /// Writes a tree of .NET values: null, bool, every integer type, float, double, string, byte[],
    /// ReadOnlyMemory&lt;byte&gt;, Memory&lt;byte&gt; (bin), <see cref="IMessagePackWritable"/>,
    /// <see cref="MessagePackTimestamp"/>, <see cref="MessagePackExtension"/>, DateTimeOffset and DateTime
    /// (timestamps; a DateTime of unspecified kind counts as local time, as DateTimeOffset's constructor takes it),
    /// any non-generic IDictionary (map) and any IList (array).
    /// </summary>
    /// <exception cref="ArgumentException">A value of another type, named in the message.</exception>
    /// <exception cref="MessagePackException">Nesting deeper than the limit, as a cycle would be.</exception>
    public void WriteValue(object? value)
    {
        switch (value)
        {
            case null: WriteNil(); break;
            case bool boolean: Write(boolean); break;
            case string text: Write(text); break;
            case int integer: Write(integer); break;
            case long integer: Write(integer); break;
            case double number: Write(number); break;
            case float number: Write(number); break;
            case byte[] bytes: WriteBinary(bytes); break;
            case uint integer: Write(integer); break;
            case ulong integer: Write(integer); break;
            case short integer: Write(integer); break;
            case ushort integer: Write(integer); break;
            case sbyte integer: Write(integer); break;
            case byte integer: Write(integer); break;
            case nint integer: Write(integer); break;
            case nuint integer: Write(integer); break;
            case Int128 integer: WriteInt128(integer); break;
            case UInt128 integer: WriteInt128(integer); break;
            case ReadOnlyMemory<byte> bytes: WriteBinary(bytes.Span); break;
            case Memory<byte> bytes: WriteBinary(bytes.Span); break;
            case MessagePackTimestamp timestamp: WriteTimestamp(timestamp); break;
            case DateTimeOffset time: WriteTimestamp(MessagePackTimestamp.FromDateTimeOffset(time)); break;
            case DateTime time: WriteTimestamp(MessagePackTimestamp.FromDateTimeOffset(new DateTimeOffset(time))); break;
            case MessagePackExtension extension: WriteExtension(extension.TypeCode, extension.Data); break;
            case IMessagePackWritable writable: EnterContainer(); writable.WriteTo(this); _depth--; break;
            case Arrays.NDArray array: Wire.WireFormat.WriteArray(this, array); break;
            case IDictionary map: EnterContainer(); WriteMap(map); _depth--; break;
            case IList list: EnterContainer(); WriteList(list); _depth--; break;
            default:
                throw new ArgumentException(
                    $"expected null, bool, a number, string, bytes, a timestamp, DateTime(Offset), MessagePackExtension, " +
                    $"IMessagePackWritable, IDictionary or IList, found {value.GetType()}",
                    nameof(value));
        }
    }

    /// <summary>The encoding of <paramref name="value"/> as <see cref="WriteValue"/> writes it.</summary>
    public static byte[] Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new MessagePackWriter(buffer).WriteValue(value);
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteInt128(Int128 value)
    {
        if (value >= long.MinValue && value <= long.MaxValue) Write((long)value);
        else if (value >= 0 && value <= ulong.MaxValue) Write((ulong)value);
        else throw new ArgumentOutOfRangeException(nameof(value), value, "expected an integer from Int64.MinValue to UInt64.MaxValue");
    }

    private void WriteInt128(UInt128 value)
    {
        if (value > ulong.MaxValue) throw new ArgumentOutOfRangeException(nameof(value), value, "expected an integer up to UInt64.MaxValue");
        Write((ulong)value);
    }

    private void WriteMap(IDictionary map)
    {
        WriteMapHeader(map.Count);
        IDictionaryEnumerator entries = map.GetEnumerator();
        while (entries.MoveNext())
        {
            WriteValue(entries.Key);
            WriteValue(entries.Value);
        }
    }

    private void WriteList(IList list)
    {
        WriteArrayHeader(list.Count);
        for (int i = 0; i < list.Count; i++) WriteValue(list[i]);
    }

    // Nesting is counted only to stop cycles; after an exception the writer's output is unusable anyway.
    private void EnterContainer()
    {
        int offset = (int)Math.Min(_written, int.MaxValue);
        if (_depth >= _maxDepth)
        {
            throw new MessagePackException(offset, $"expected at most {_maxDepth} nested arrays, maps and writables, found more (a cycle?)");
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new MessagePackException(offset, $"expected nesting the stack can hold, found {_depth + 1} levels (a cycle?)");
        }

        _depth++;
    }
}
