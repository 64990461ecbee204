using System.Buffers;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Protocol.Messages;

/// <summary>
/// The one declaration of a message's map (SPEC.md §3): its keys in order, each with its type, whether it is required,
/// and how it is written and read. The map size is counted from the keys a message carries; unknown keys are skipped
/// when reading; a missing required key or a value of the wrong type is a <see cref="MessageFormatException"/>
/// (<c>malformed</c>) saying what was expected and what was found.
/// </summary>
/// <typeparam name="T">The message record; reading fills a new one through its setters.</typeparam>
public sealed class MessageShape<T> : IMessageShape where T : class
{
    private readonly List<MessageField<T>> fields = [];

    /// <param name="name">The message as people call it ("step request"), for error messages.</param>
    /// <param name="create">Makes the empty message reading fills; null for a map that is only written (a space).</param>
    public MessageShape(string name, Func<T>? create)
    {
        Name = name;
        this.create = create;
        defaultWhat = "the " + name;
    }

    private readonly Func<T>? create;

    // Error messages name the message as "the step request" and its keys as "'handle'", built once, not per read.
    private readonly string defaultWhat;

    /// <summary>The message as people call it, e.g. "step request".</summary>
    public string Name { get; }

    /// <summary>The declared keys, in the order they are written.</summary>
    public IReadOnlyList<MessageField<T>> Fields => fields;

    /// <inheritdoc/>
    public IReadOnlyList<string> Keys => fields.Select(declared => declared.Key).ToList();

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, IMessageShape> NestedShapes { get; private set; } = new Dictionary<string, IMessageShape>();

    /// <summary>Writes <paramref name="message"/> as one map of the keys it carries.</summary>
    public void Write(ref MessagePackWriter writer, T message)
    {
        int count = 0;
        foreach (var field in fields)
        {
            if (field.IsWritten(message)) count++;
        }

        writer.WriteMapHeader(count);
        foreach (var field in fields)
        {
            if (!field.IsWritten(message)) continue;
            writer.WriteString(field.Utf8Key);
            field.Write(ref writer, message);
        }
    }

    /// <summary>Reads one map into a new message.</summary>
    /// <exception cref="MessageFormatException">Not a map, a key that is not a string, a required key missing or a value of the wrong type.</exception>
    /// <exception cref="WireDecodeException">Broken MessagePack.</exception>
    public T Read(ref MessagePackReader reader, string? what = null)
    {
        var message = create?.Invoke() ?? throw new InvalidOperationException($"the {Name} is declared for writing only");
        ReadInto(ref reader, message, what);
        return message;
    }

    /// <summary>
    /// Reads one map into <paramref name="message"/>, key by key: when it throws, the keys read before the problem
    /// stay set (a request's id, for the error reply).
    /// </summary>
    /// <param name="untilAllRead">Stop as soon as every declared key has been read, leaving the rest of the map
    /// unread: for a header read before the message it belongs to is read whole.</param>
    public void ReadInto(ref MessagePackReader reader, T message, string? what = null, bool untilAllRead = false)
    {
        try
        {
            ReadFields(ref reader, message, what, untilAllRead);
        }
        catch (Exception error) when (WireValue.IsLibraryDecodeError(error))
        {
            throw WireValue.AsDecodeError(error, reader.Consumed);
        }
    }

    private void ReadFields(ref MessagePackReader reader, T message, string? what, bool untilAllRead)
    {
        bool topLevel = what is null;
        what ??= defaultWhat;
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw Malformed($"{what} must be a MessagePack map; found {Describe(ref reader)}");
        }

        int count = reader.ReadMapHeader();
        ulong seen = 0;
        ulong all = fields.Count == 64 ? ulong.MaxValue : (1UL << fields.Count) - 1;
        for (int i = 0; i < count && !(untilAllRead && seen == all); i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw Malformed($"the keys of {what} must be strings; found {Describe(ref reader)} at byte {reader.Consumed}");
            }

            int index = FindField(ref reader);
            if (index < 0)
            {
                WireValue.Skip(ref reader);
                continue;
            }

            var field = fields[index];
            field.Read(ref reader, message, topLevel ? field.QuotedKey : $"{what}.{field.Key}");
            seen |= 1UL << index;
        }

        for (int index = 0; index < fields.Count; index++)
        {
            if (fields[index].Required && (seen & (1UL << index)) == 0)
            {
                throw Malformed($"{what} needs '{fields[index].Key}' ({fields[index].Expected}); it has {DescribeKeys(seen)}");
            }
        }
    }

    /// <summary>Reads a whole payload holding exactly this message.</summary>
    public T Read(ReadOnlyMemory<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        var message = Read(ref reader);
        WireValue.ExpectEnd(ref reader);
        return message;
    }

    /// <summary>The encoding of <paramref name="message"/>.</summary>
    public byte[] Serialize(T message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, message);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private int FindField(ref MessagePackReader reader)
    {
        ReadOnlySpan<byte> key = reader.TryReadStringSpan(out var span)
            ? span
            : System.Text.Encoding.UTF8.GetBytes(WireValue.ReadString(ref reader));
        for (int i = 0; i < fields.Count; i++)
        {
            if (key.SequenceEqual(fields[i].Utf8Key)) return i;
        }

        return -1;
    }

    private string DescribeKeys(ulong seen)
    {
        var keys = fields.Where((_, index) => (seen & (1UL << index)) != 0).Select(field => $"'{field.Key}'").ToList();
        return keys.Count == 0 ? "none of its keys" : string.Join(", ", keys);
    }

    // ---- Declaring keys: each method adds one key and returns the shape, so a declaration reads as a list. ----

    /// <summary>A key of any type, written and read by the given functions.</summary>
    public MessageShape<T> Field(string key, string expected, bool required, Func<T, bool>? writtenWhen, FieldWriter<T> write, FieldReader<T> read)
    {
        if (fields.Count == 64) throw new InvalidOperationException($"{Name} declares more than 64 keys");
        if (fields.Any(field => field.Key == key)) throw new InvalidOperationException($"{Name} declares '{key}' twice");
        fields.Add(new MessageField<T>(key, expected, required, writtenWhen, write, read));
        return this;
    }

    /// <summary>A key of a map that is only ever written (a space): always present, written by <paramref name="write"/>.</summary>
    public MessageShape<T> Written(string key, FieldWriter<T> write) => Field(key, "a value", true, null, write, WriteOnly);

    /// <summary>A required string whose value is fixed (a request's <c>op</c>): written always, checked when read.</summary>
    public MessageShape<T> Constant(string key, string value)
    {
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(value);
        return Field(key, $"\"{value}\"", true, null,
            (ref MessagePackWriter writer, T _) => writer.WriteString(utf8),
            (ref MessagePackReader reader, T _, string what) =>
            {
                // Compared as bytes: the hot path reads op on every request and need not allocate a string for it.
                if (reader.NextMessagePackType != MessagePackType.String) throw WrongType(ref reader, what, $"\"{value}\"");
                var found = reader.ReadStringSequence()!.Value;
                if (found.IsSingleSegment ? found.FirstSpan.SequenceEqual(utf8) : found.ToArray().AsSpan().SequenceEqual(utf8)) return;
                throw Malformed($"{what} must be \"{value}\"; found \"{System.Text.Encoding.UTF8.GetString(found.ToArray())}\"");
            });
    }

    /// <summary>A required unsigned integer (a request id).</summary>
    public MessageShape<T> Unsigned(string key, Func<T, ulong> get, Action<T, ulong> set) => Field(key, "an unsigned integer", true, null,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) => set(message, ReadUnsigned(ref reader, what)));

    /// <summary>An unsigned integer or nil, always written (the id of an error reply, nil when the request's could not be read).</summary>
    public MessageShape<T> NullableUnsigned(string key, Func<T, ulong?> get, Action<T, ulong?> set) =>
        Field(key, "an unsigned integer or nil", true, null,
            (ref MessagePackWriter writer, T message) => WriteNullable(ref writer, get(message)),
            (ref MessagePackReader reader, T message, string what) => set(message, reader.TryReadNil() ? null : ReadUnsigned(ref reader, what)));

    /// <summary>A required integer.</summary>
    public MessageShape<T> Integer(string key, Func<T, long> get, Action<T, long> set) => Field(key, "an integer", true, null,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) => set(message, ReadInteger(ref reader, what)));

    /// <summary>An integer; with <paramref name="alwaysWritten"/> a missing value is written as nil, otherwise the key is left out.</summary>
    public MessageShape<T> OptionalInteger(string key, Func<T, long?> get, Action<T, long?> set, bool alwaysWritten = false) =>
        Field(key, "an integer or nil", alwaysWritten, alwaysWritten ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) => WriteNullable(ref writer, get(message)),
            (ref MessagePackReader reader, T message, string what) => set(message, reader.TryReadNil() ? null : ReadInteger(ref reader, what)));

    /// <summary>A required float64 (integers and float32 are read too).</summary>
    public MessageShape<T> Number(string key, Func<T, double> get, Action<T, double> set) => Field(key, "a number", true, null,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) => set(message, ReadNumber(ref reader, what)));

    /// <summary>A float64 or nil, always written.</summary>
    public MessageShape<T> NullableNumber(string key, Func<T, double?> get, Action<T, double?> set) => Field(key, "a number or nil", true, null,
        (ref MessagePackWriter writer, T message) =>
        {
            if (get(message) is double value) writer.Write(value);
            else writer.WriteNil();
        },
        (ref MessagePackReader reader, T message, string what) => set(message, reader.TryReadNil() ? null : ReadNumber(ref reader, what)));

    /// <summary>A bool that is false when absent (a request's optional flag); written only when true.</summary>
    public MessageShape<T> OptionalBool(string key, Func<T, bool> get, Action<T, bool> set) => Field(key, "a bool", false, get,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) =>
        {
            if (reader.NextMessagePackType != MessagePackType.Boolean) throw WrongType(ref reader, what, "a bool");
            set(message, reader.ReadBoolean());
        });

    /// <summary>A required bool.</summary>
    public MessageShape<T> Bool(string key, Func<T, bool> get, Action<T, bool> set) => Field(key, "a bool", true, null,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) =>
        {
            if (reader.NextMessagePackType != MessagePackType.Boolean) throw WrongType(ref reader, what, "a bool");
            set(message, reader.ReadBoolean());
        });

    /// <summary>A required string.</summary>
    public MessageShape<T> String(string key, Func<T, string> get, Action<T, string> set) => Field(key, "a string", true, null,
        (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
        (ref MessagePackReader reader, T message, string what) => set(message, ReadString(ref reader, what, "a string")));

    /// <summary>A string or nil; with <paramref name="alwaysWritten"/> a missing value is written as nil, otherwise the key is left out.</summary>
    public MessageShape<T> OptionalString(string key, Func<T, string?> get, Action<T, string?> set, bool alwaysWritten = false) =>
        Field(key, "a string or nil", alwaysWritten, alwaysWritten ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) => writer.Write(get(message)),
            (ref MessagePackReader reader, T message, string what) => set(message, reader.TryReadNil() ? null : ReadString(ref reader, what, "a string or nil")));

    /// <summary>A required list of strings.</summary>
    public MessageShape<T> Strings(string key, Func<T, IReadOnlyList<string>> get, Action<T, IReadOnlyList<string>> set) =>
        Strings(key, get!, set, required: true);

    /// <summary>A list of strings left out when null (nil reads as absent).</summary>
    public MessageShape<T> OptionalStrings(string key, Func<T, IReadOnlyList<string>?> get, Action<T, IReadOnlyList<string>?> set) =>
        Strings(key, get, set, required: false);

    private MessageShape<T> Strings(string key, Func<T, IReadOnlyList<string>?> get, Action<T, IReadOnlyList<string>> set, bool required) =>
        Field(key, required ? "a list of strings" : "a list of strings or nil", required, required ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) =>
            {
                var items = get(message)!;
                writer.WriteArrayHeader(items.Count);
                foreach (var item in items) writer.Write(item);
            },
            (ref MessagePackReader reader, T message, string what) =>
            {
                if (!required && reader.TryReadNil()) return;
                if (reader.NextMessagePackType != MessagePackType.Array) throw WrongType(ref reader, what, "a list of strings");
                var items = new string[reader.ReadArrayHeader()];
                for (int i = 0; i < items.Length; i++) items[i] = ReadString(ref reader, $"{what}[{i}]", "a string");
                set(message, items);
            });

    /// <summary>
    /// A free-form value in wire form (<see cref="WireFormat.ReadValue"/>: arrays as <see cref="NDArray"/>). A badly
    /// formed array or map inside it is <paramref name="code"/>. An optional value is left out when null.
    /// </summary>
    public MessageShape<T> Value(string key, Func<T, object?> get, Action<T, object?> set, string code = ErrorCodes.Malformed, bool required = true) =>
        Field(key, "a value", required, required ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) => WireValue.Write(ref writer, get(message)),
            (ref MessagePackReader reader, T message, string what) => set(message, ReadWireValue(ref reader, what, code)));

    /// <summary>
    /// A map with string keys, values in wire form. Something other than a map is <paramref name="code"/>, a badly
    /// formed array inside it <paramref name="contentCode"/> (by default the same). An optional map is left out when
    /// null, and nil reads as absent.
    /// </summary>
    public MessageShape<T> Map(
        string key, Func<T, IReadOnlyDictionary<string, object?>?> get, Action<T, Dictionary<string, object?>?> set,
        string code = ErrorCodes.Malformed, bool required = true, string? contentCode = null) =>
        Field(key, "a map with string keys", required, required ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) => WriteMap(ref writer, get(message)),
            (ref MessagePackReader reader, T message, string what) =>
            {
                if (!required && reader.TryReadNil())
                {
                    set(message, null);
                    return;
                }

                if (reader.NextMessagePackType != MessagePackType.Map) throw new MessageFormatException(code, $"{what} must be a map with string keys; found {Describe(ref reader)}");
                object? value = ReadWireValue(ref reader, what, contentCode ?? code);
                set(message, value as Dictionary<string, object?>
                    ?? throw new MessageFormatException(code, $"{what} must be a map with string keys; found {ZeroGym.Spaces.Space.Describe(value)}"));
            });

    /// <summary>A required n-d array (SPEC.md §2.1).</summary>
    public MessageShape<T> Array(string key, Func<T, NDArray> get, Action<T, NDArray> set) => Field(key, "an array map {dtype, shape, data}", true, null,
        (ref MessagePackWriter writer, T message) => WireFormat.WriteArray(ref writer, get(message)),
        (ref MessagePackReader reader, T message, string what) =>
        {
            object? value = ReadWireValue(ref reader, what, ErrorCodes.Malformed);
            set(message, Convert(() => WireFormat.ReadArray(value, what)));
        });

    /// <summary>A required list of n-d arrays.</summary>
    public MessageShape<T> Arrays(string key, Func<T, IReadOnlyList<NDArray>> get, Action<T, IReadOnlyList<NDArray>> set) =>
        Field(key, "a list of array maps", true, null,
            (ref MessagePackWriter writer, T message) =>
            {
                var arrays = get(message);
                writer.WriteArrayHeader(arrays.Count);
                foreach (var array in arrays) WireFormat.WriteArray(ref writer, array);
            },
            (ref MessagePackReader reader, T message, string what) =>
            {
                if (ReadWireValue(ref reader, what, ErrorCodes.Malformed) is not object?[] items) throw Malformed($"{what} must be a list of array maps");
                set(message, items.Select((item, i) => Convert(() => WireFormat.ReadArray(item, $"{what}[{i}]"))).ToList());
            });

    /// <summary>A required space (SPEC.md §2.2).</summary>
    public MessageShape<T> Space(string key, Func<T, Space> get, Action<T, Space> set) => Field(key, "a space map", true, null,
        (ref MessagePackWriter writer, T message) => WireFormat.WriteSpace(ref writer, get(message)),
        (ref MessagePackReader reader, T message, string what) =>
        {
            object? value = ReadWireValue(ref reader, what, ErrorCodes.Malformed);
            set(message, Convert(() => WireFormat.ReadSpace(value, what)));
        });

    /// <summary>A required nested message.</summary>
    public MessageShape<T> Message<TNested>(string key, MessageShape<TNested> shape, Func<T, TNested> get, Action<T, TNested> set)
        where TNested : class =>
        Nest(key, shape).Field(key, $"a {shape.Name} map", true, null,
            (ref MessagePackWriter writer, T message) => shape.Write(ref writer, get(message)),
            (ref MessagePackReader reader, T message, string what) => set(message, shape.Read(ref reader, what)));

    /// <summary>A list of nested messages; an optional one is left out when null.</summary>
    public MessageShape<T> Messages<TNested>(
        string key, MessageShape<TNested> shape, Func<T, IReadOnlyList<TNested>?> get, Action<T, IReadOnlyList<TNested>> set, bool required = true)
        where TNested : class =>
        Nest(key, shape).Field(key, $"a list of {shape.Name} maps", required, required ? null : message => get(message) is not null,
            (ref MessagePackWriter writer, T message) =>
            {
                var items = get(message)!;
                writer.WriteArrayHeader(items.Count);
                foreach (var item in items) shape.Write(ref writer, item);
            },
            (ref MessagePackReader reader, T message, string what) =>
            {
                if (reader.NextMessagePackType != MessagePackType.Array) throw WrongType(ref reader, what, $"a list of {shape.Name} maps");
                var items = new TNested[reader.ReadArrayHeader()];
                for (int i = 0; i < items.Length; i++) items[i] = shape.Read(ref reader, $"{what}[{i}]");
                set(message, items);
            });

    private MessageShape<T> Nest(string key, IMessageShape shape)
    {
        NestedShapes = new Dictionary<string, IMessageShape>(NestedShapes) { [key] = shape };
        return this;
    }

    /// <summary>The reader of a key in a map declared for writing only: reading it is a bug.</summary>
    public static readonly FieldReader<T> WriteOnly = (ref MessagePackReader _, T _, string what) =>
        throw new InvalidOperationException($"{what} is declared for writing only");

    // ---- Reading and writing values ----

    private static void WriteNullable(ref MessagePackWriter writer, long? value)
    {
        if (value is long integer) writer.Write(integer);
        else writer.WriteNil();
    }

    private static void WriteNullable(ref MessagePackWriter writer, ulong? value)
    {
        if (value is ulong integer) writer.Write(integer);
        else writer.WriteNil();
    }

    private static void WriteMap(ref MessagePackWriter writer, IReadOnlyDictionary<string, object?>? map)
    {
        if (map is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(map.Count);
        if (map is Dictionary<string, object?> dictionary)
        {
            // Its struct enumerator: enumerating through the interface would allocate on every reply.
            foreach (var (key, value) in dictionary)
            {
                writer.Write(key);
                WireValue.Write(ref writer, value);
            }

            return;
        }

        foreach (var (key, value) in map)
        {
            writer.Write(key);
            WireValue.Write(ref writer, value);
        }
    }

    private static ulong ReadUnsigned(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer) throw WrongType(ref reader, what, "an unsigned integer");
        if (reader.NextCode == MessagePackCode.UInt64) return reader.ReadUInt64();
        long value = reader.ReadInt64();
        return value >= 0 ? (ulong)value : throw Malformed($"{what} must be an unsigned integer; found {value}");
    }

    private static long ReadInteger(ref MessagePackReader reader, string what)
    {
        if (reader.NextMessagePackType != MessagePackType.Integer) throw WrongType(ref reader, what, "an integer");
        if (reader.NextCode == MessagePackCode.UInt64)
        {
            ulong value = reader.ReadUInt64();
            return value <= long.MaxValue ? (long)value : throw Malformed($"{what} must be an integer within int64; found {value}");
        }

        return reader.ReadInt64();
    }

    private static double ReadNumber(ref MessagePackReader reader, string what) =>
        reader.NextMessagePackType is MessagePackType.Float or MessagePackType.Integer ? reader.ReadDouble() : throw WrongType(ref reader, what, "a number");

    private static string ReadString(ref MessagePackReader reader, string what, string expected) =>
        reader.NextMessagePackType == MessagePackType.String ? WireValue.ReadString(ref reader) : throw WrongType(ref reader, what, expected);

    private static object? ReadWireValue(ref MessagePackReader reader, string what, string code)
    {
        try
        {
            return WireFormat.ReadValue(ref reader, what);
        }
        catch (FormatException error) when (error is not MessageFormatException)
        {
            throw new MessageFormatException(code, error.Message, error);
        }
    }

    private static TValue Convert<TValue>(Func<TValue> read)
    {
        try
        {
            return read();
        }
        catch (FormatException error) when (error is not MessageFormatException)
        {
            throw new MessageFormatException(ErrorCodes.Malformed, error.Message, error);
        }
    }

    private static MessageFormatException WrongType(ref MessagePackReader reader, string what, string expected) =>
        Malformed($"{what} must be {expected}; found {Describe(ref reader)}");

    private static MessageFormatException Malformed(string message) => new(ErrorCodes.Malformed, message);

    /// <summary>The next value's kind in SPEC.md's words, for error messages.</summary>
    internal static string Describe(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "a bool",
        MessagePackType.Integer => "an integer",
        MessagePackType.Float => "a float",
        MessagePackType.String => "a string",
        MessagePackType.Binary => "bin bytes",
        MessagePackType.Array => "a list",
        MessagePackType.Map => "a map",
        MessagePackType.Extension => "an extension value",
        _ => $"the never-used code 0x{reader.NextCode:x2}",
    };
}
