using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using MessagePack;
using ZeroGym.Arrays;

namespace ZeroGym.Protocol.Wire;

/// <summary>
/// Generic values on MessagePack-CSharp's reader and writer, for input from strangers: every length is checked
/// against the bytes that remain before anything is allocated for it, nesting is bounded, and any broken input
/// ends in a <see cref="WireDecodeException"/>.
/// </summary>
/// <remarks>
/// The generic tree: nil → null, bool, long (ulong only above long.MaxValue), float (float 32), double (float 64),
/// string, byte[] (bin), object?[] (array), Dictionary&lt;object, object?&gt; (map, in input order),
/// <see cref="WireTimestamp"/> (ext -1) and <see cref="WireExtension"/>. The wire form
/// (<see cref="WireFormat.ReadValue"/>) differs only in its maps: SPEC.md §2.1's array maps become
/// <see cref="NDArray"/>s and other maps Dictionary&lt;string, object?&gt;.
/// </remarks>
public static class WireValue
{
    /// <summary>How many arrays and maps may nest inside each other unless a caller says otherwise.</summary>
    public const int DefaultMaxDepth = 64;

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>Reads one value as a generic tree.</summary>
    /// <exception cref="WireDecodeException">Broken, truncated or over-deep input, a nil or repeated map key.</exception>
    public static object? ReadTree(ref MessagePackReader reader, int maxDepth = DefaultMaxDepth) =>
        Guard(ref reader, maxDepth, "value", static (ref MessagePackReader r, int limit, string _) => new Walker(limit, wireForm: false).Read(ref r, 0, "value"));

    /// <summary>Reads exactly one value as a generic tree; bytes after it are an error.</summary>
    /// <exception cref="WireDecodeException">As <see cref="ReadTree"/>, and for trailing bytes.</exception>
    public static object? Deserialize(ReadOnlyMemory<byte> bytes, int maxDepth = DefaultMaxDepth)
    {
        var reader = new MessagePackReader(bytes);
        object? value = ReadTree(ref reader, maxDepth);
        ExpectEnd(ref reader);
        return value;
    }

    /// <summary>Skips one whole value, checking its structure (lengths, nesting, 0xc1) as reading it would.</summary>
    /// <exception cref="WireDecodeException">Broken, truncated or over-deep input.</exception>
    public static void Skip(ref MessagePackReader reader, int maxDepth = DefaultMaxDepth) =>
        Guard(ref reader, maxDepth, "value", static (ref MessagePackReader r, int limit, string _) =>
        {
            SkipValue(ref r, 0, limit);
            return null;
        });

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a str value, refusing bytes that are not UTF-8 (MessagePack-CSharp's own ReadString would put U+FFFD in
    /// their place, so two different requests could read as the same string).
    /// </summary>
    /// <exception cref="WireDecodeException">Invalid UTF-8, or not a str.</exception>
    public static string ReadString(ref MessagePackReader reader)
    {
        long start = reader.Consumed;
        var bytes = reader.ReadStringSequence() ?? throw new WireDecodeException(start, "expected a string, found nil");
        try
        {
            return bytes.IsSingleSegment ? StrictUtf8.GetString(bytes.FirstSpan) : StrictUtf8.GetString(bytes.ToArray());
        }
        catch (System.Text.DecoderFallbackException error)
        {
            throw new WireDecodeException(start, $"expected a UTF-8 string, found invalid UTF-8 at string byte {error.Index}", error);
        }
    }

    /// <summary>The encoded bytes of the next value (checked as <see cref="Skip"/> checks them), consumed.</summary>
    public static ReadOnlySequence<byte> ReadRaw(ref MessagePackReader reader, int maxDepth = DefaultMaxDepth)
    {
        var start = reader.Position;
        Skip(ref reader, maxDepth);
        return reader.Sequence.Slice(start, reader.Position);
    }

    /// <summary>Throws unless <paramref name="reader"/> has consumed its whole input.</summary>
    public static void ExpectEnd(ref MessagePackReader reader)
    {
        if (!reader.End)
        {
            long remaining = reader.Sequence.Length - reader.Consumed;
            throw new WireDecodeException(reader.Consumed, $"expected the end of the input after one value, found {remaining} more bytes");
        }
    }

    /// <summary>
    /// Writes a tree of .NET values: null, bool, every integer type up to 64 bits, float, double, string, byte[],
    /// ReadOnlyMemory&lt;byte&gt; and Memory&lt;byte&gt; (bin), <see cref="NDArray"/> (SPEC.md §2.1),
    /// <see cref="WireTimestamp"/>, <see cref="WireExtension"/>, any non-generic IDictionary (map) and any IList (array).
    /// </summary>
    /// <exception cref="ArgumentException">A value of another type, named in the message, or nesting deeper than
    /// <see cref="DefaultMaxDepth"/> (as a cycle would be).</exception>
    public static void Write(ref MessagePackWriter writer, object? value) => Write(ref writer, value, 0);

    /// <summary>The encoding of <paramref name="value"/> as <see cref="Write(ref MessagePackWriter, object?)"/> writes it.</summary>
    public static byte[] Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, object? value, int depth)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case bool boolean: writer.Write(boolean); break;
            case string text: writer.Write(text); break;
            case int integer: writer.Write(integer); break;
            case long integer: writer.Write(integer); break;
            case double number: writer.Write(number); break;
            case float number: writer.Write(number); break;
            case byte[] bytes: writer.Write(bytes.AsSpan()); break;
            case NDArray array: WireFormat.WriteArray(ref writer, array); break;
            case uint integer: writer.Write(integer); break;
            case ulong integer: writer.Write(integer); break;
            case short integer: writer.Write(integer); break;
            case ushort integer: writer.Write(integer); break;
            case sbyte integer: writer.Write(integer); break;
            case byte integer: writer.Write(integer); break;
            case ReadOnlyMemory<byte> bytes: writer.Write(bytes.Span); break;
            case Memory<byte> bytes: writer.Write(bytes.Span); break;
            case WireTimestamp timestamp: WriteExtension(ref writer, WireTimestamp.TypeCode, timestamp.Encode()); break;
            case WireExtension extension: WriteExtension(ref writer, extension.TypeCode, extension.Data); break;
            case IDictionary map:
                EnterWrite(depth);
                writer.WriteMapHeader(map.Count);
                var entries = map.GetEnumerator();
                while (entries.MoveNext())
                {
                    Write(ref writer, entries.Key, depth + 1);
                    Write(ref writer, entries.Value, depth + 1);
                }

                break;
            case IList list:
                EnterWrite(depth);
                writer.WriteArrayHeader(list.Count);
                for (int i = 0; i < list.Count; i++) Write(ref writer, list[i], depth + 1);
                break;
            default:
                throw new ArgumentException(
                    $"expected null, bool, a number, string, bytes, an NDArray, WireTimestamp, WireExtension, IDictionary or IList, found {value.GetType()}",
                    nameof(value));
        }
    }

    private static void WriteExtension(ref MessagePackWriter writer, sbyte typeCode, byte[] data)
    {
        writer.WriteExtensionFormatHeader(new ExtensionHeader(typeCode, data.Length));
        writer.WriteRaw(data);
    }

    private static void EnterWrite(int depth)
    {
        if (depth >= DefaultMaxDepth)
        {
            throw new ArgumentException($"expected at most {DefaultMaxDepth} nested maps and lists, found more (a cycle?)");
        }
    }

    internal delegate object? ReaderCall(ref MessagePackReader reader, int maxDepth, string what);

    /// <summary>Runs a read and turns whatever the library throws for broken bytes into a <see cref="WireDecodeException"/>.</summary>
    internal static object? Guard(ref MessagePackReader reader, int maxDepth, string what, ReaderCall read)
    {
        try
        {
            return read(ref reader, maxDepth, what);
        }
        catch (Exception error) when (IsLibraryDecodeError(error))
        {
            throw AsDecodeError(error, reader.Consumed);
        }
    }

    /// <summary>
    /// Whether MessagePack-CSharp threw <paramref name="error"/> for broken bytes (and it is not ours already). A str
    /// or bin header declaring more than 2 GiB makes it throw <see cref="ArgumentOutOfRangeException"/> rather than
    /// find the input too short.
    /// </summary>
    internal static bool IsLibraryDecodeError(Exception error) =>
        error is EndOfStreamException or OverflowException or ArgumentOutOfRangeException
        || (error is MessagePackSerializationException && error is not WireDecodeException);

    /// <summary>What MessagePack-CSharp threw for broken bytes, said as the wire says it.</summary>
    internal static WireDecodeException AsDecodeError(Exception error, long offset) =>
        new(offset, error is EndOfStreamException
            ? "expected more bytes, found the end of the input (truncated, or a length that runs past the end)"
            : error.Message, error);

    internal static void SkipValue(ref MessagePackReader reader, int depth, int maxDepth)
    {
        long start = reader.Consumed;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
                int elements = reader.ReadArrayHeader();
                EnterRead(start, depth, maxDepth);
                for (int i = 0; i < elements; i++) SkipValue(ref reader, depth + 1, maxDepth);
                break;
            case MessagePackType.Map:
                long keysAndValues = 2L * reader.ReadMapHeader();
                EnterRead(start, depth, maxDepth);
                for (long i = 0; i < keysAndValues; i++) SkipValue(ref reader, depth + 1, maxDepth);
                break;
            case MessagePackType.Extension:
                var header = reader.ReadExtensionFormatHeader();
                reader.ReadRaw(header.Length);
                break;
            case MessagePackType.Unknown:
                throw UnknownCode(start, reader.NextCode);
            default:
                // Scalars, strings and bins: the library checks their lengths; nothing is decoded.
                reader.Skip();
                break;
        }
    }

    // Called after the header of an array or map at `depth` was read, before its elements are.
    internal static void EnterRead(long start, int depth, int maxDepth)
    {
        if (depth >= maxDepth) throw new WireDecodeException(start, $"expected at most {maxDepth} nested arrays and maps, found more");

        // A generous limit must still not crash the process.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new WireDecodeException(start, $"expected nesting the stack can hold, found {depth + 1} levels");
        }
    }

    internal static WireDecodeException UnknownCode(long start, byte code) =>
        new(start, $"expected a MessagePack value, found the never-used code 0x{code:x2}");

    /// <summary>The one recursive reader of both forms.</summary>
    internal readonly struct Walker(int maxDepth, bool wireForm)
    {
        public object? Read(ref MessagePackReader reader, int depth, string what)
        {
            long start = reader.Consumed;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Nil:
                    reader.ReadNil();
                    return null;
                case MessagePackType.Boolean:
                    return reader.ReadBoolean() ? BoxedTrue : BoxedFalse;
                case MessagePackType.Integer:
                    if (reader.NextCode == MessagePackCode.UInt64)
                    {
                        ulong unsigned = reader.ReadUInt64();
                        return unsigned <= long.MaxValue ? (object)(long)unsigned : unsigned;
                    }

                    return reader.ReadInt64();
                case MessagePackType.Float:
                    // Cast each branch: a plain conditional would widen the float to double before boxing.
                    return reader.NextCode == MessagePackCode.Float32 ? (object)reader.ReadSingle() : (object)reader.ReadDouble();
                case MessagePackType.String:
                    return ReadString(ref reader);
                case MessagePackType.Binary:
                    return reader.ReadBytes()!.Value.ToArray();
                case MessagePackType.Extension:
                    return ReadExtension(ref reader, start);
                case MessagePackType.Array:
                    int count = reader.ReadArrayHeader();
                    EnterRead(start, depth, maxDepth);
                    if (count == 0) return Array.Empty<object?>();
                    var items = new object?[count];
                    for (int i = 0; i < count; i++) items[i] = Read(ref reader, depth + 1, wireForm && IsContainer(ref reader) ? $"{what}[{i}]" : what);
                    return items;
                case MessagePackType.Map:
                    return wireForm ? ReadWireMap(ref reader, start, depth, what) : ReadTreeMap(ref reader, start, depth);
                default:
                    throw UnknownCode(start, reader.NextCode);
            }
        }

        private Dictionary<object, object?> ReadTreeMap(ref MessagePackReader reader, long start, int depth)
        {
            int count = reader.ReadMapHeader();
            EnterRead(start, depth, maxDepth);
            var map = new Dictionary<object, object?>(count);
            for (int i = 0; i < count; i++)
            {
                long keyStart = reader.Consumed;
                object key = Read(ref reader, depth + 1, "key") ?? throw new WireDecodeException(keyStart, "expected a map key, found nil");
                if (!map.TryAdd(key, Read(ref reader, depth + 1, "value")))
                {
                    throw new WireDecodeException(keyStart, $"expected distinct map keys, found {DescribeKey(key)} twice");
                }
            }

            return map;
        }

        private object ReadWireMap(ref MessagePackReader reader, long start, int depth, string what)
        {
            var probe = reader.CreatePeekReader();
            if (WireFormat.TryReadArrayMap(ref probe, what) is { } array)
            {
                reader = probe;
                return array;
            }

            int count = reader.ReadMapHeader();
            EnterRead(start, depth, maxDepth);
            var map = new Dictionary<string, object?>(count);
            for (int i = 0; i < count; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    throw new FormatException($"{what} must have string keys; found a {reader.NextMessagePackType} key");
                }

                string key = ReadString(ref reader);
                if (!map.TryAdd(key, Read(ref reader, depth + 1, IsContainer(ref reader) ? $"{what}['{key}']" : what)))
                {
                    throw new FormatException($"{what} has the key '{key}' twice");
                }
            }

            return map;
        }

        // Paths name containers only: a scalar cannot fail the wire form, and building a path for each costs an allocation.
        private static bool IsContainer(ref MessagePackReader reader) =>
            reader.NextMessagePackType is MessagePackType.Map or MessagePackType.Array;

        private static object ReadExtension(ref MessagePackReader reader, long start)
        {
            var header = reader.ReadExtensionFormatHeader();
            byte[] data = reader.ReadRaw(header.Length).ToArray();
            if (header.TypeCode != WireTimestamp.TypeCode) return new WireExtension(header.TypeCode, data);
            return WireTimestamp.TryDecode(data)
                ?? throw new WireDecodeException(start, $"expected a timestamp of 4, 8 or 12 bytes with nanoseconds below 10^9, found {data.Length} bytes {Convert.ToHexString(data)}");
        }

        private static string DescribeKey(object key) => key switch
        {
            string { Length: <= 64 } text => $"the key \"{text}\"",
            string => "a long string key",
            _ => $"the key {key}",
        };
    }
}
