using System.Runtime.CompilerServices;
using Code = ZeroGym.Protocol.MessagePack.MessagePackCode;

namespace ZeroGym.Protocol.MessagePack;

// Whole values: skipping, raw slices and the generic tree.
public ref partial struct MessagePackReader
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    /// <summary>
    /// Skips one whole value, nested ones included. Checks the structure (lengths, nesting depth, 0xc1) but,
    /// for speed, not the UTF-8 inside strings.
    /// </summary>
    public void Skip() => SkipValue(0);

    /// <summary>The encoded bytes of the next value (as <see cref="Skip"/> checks them), consumed.</summary>
    public ReadOnlySpan<byte> ReadRaw()
    {
        int start = _position;
        Skip();
        return _bytes[start.._position];
    }

    /// <summary>
    /// Reads one value as a tree: nil → null, bool, long (ulong only above long.MaxValue), float (float 32),
    /// double (float 64), string, byte[] (bin), object?[] (array), Dictionary&lt;object, object?&gt; (map, in
    /// input order), <see cref="MessagePackTimestamp"/> (ext -1) and <see cref="MessagePackExtension"/>.
    /// </summary>
    /// <exception cref="MessagePackException">Also for a nil or duplicate map key.</exception>
    public object? ReadValue() => ReadValue(0);

    private void SkipValue(int depth)
    {
        int start = _position;
        byte code = PeekCode();
        switch (Code.TypeOf(code))
        {
            case MessagePackType.Nil:
            case MessagePackType.Boolean:
                _position++;
                break;
            case MessagePackType.Integer:
                ReadInteger(out _);
                break;
            case MessagePackType.Float:
                ReadDouble();
                break;
            case MessagePackType.String:
                ReadStringPayload(start, code);
                break;
            case MessagePackType.Binary:
                ReadBinary();
                break;
            case MessagePackType.Extension:
                ReadExtensionHeader(out _);
                break;
            case MessagePackType.Array:
                int elements = ReadArrayHeader();
                EnterContainer(start, depth);
                for (int i = 0; i < elements; i++) SkipValue(depth + 1);
                break;
            case MessagePackType.Map:
                long keysAndValues = 2L * ReadMapHeader();
                EnterContainer(start, depth);
                for (long i = 0; i < keysAndValues; i++) SkipValue(depth + 1);
                break;
            default:
                throw WrongType(start, "a value", code);
        }
    }

    private object? ReadValue(int depth)
    {
        int start = _position;
        byte code = PeekCode();
        switch (Code.TypeOf(code))
        {
            case MessagePackType.Nil:
                _position++;
                return null;
            case MessagePackType.Boolean:
                return ReadBoolean() ? BoxedTrue : BoxedFalse;
            case MessagePackType.Integer:
                long integer = ReadInteger(out bool aboveInt64);
                return aboveInt64 ? (object)unchecked((ulong)integer) : (object)integer;
            case MessagePackType.Float:
                // Cast each branch: a plain conditional would widen the float to double before boxing.
                return code == Code.Float32 ? (object)ReadSingle() : (object)ReadDouble();
            case MessagePackType.String:
                return ReadString();
            case MessagePackType.Binary:
                return ReadBinary().ToArray();
            case MessagePackType.Extension:
                sbyte type = ReadExtensionHeader(out ReadOnlySpan<byte> data);
                return type == Code.TimestampType
                    ? DecodeTimestamp(start, data)
                    : new MessagePackExtension(type, data.ToArray());
            case MessagePackType.Array:
                return ReadArray(start, depth);
            case MessagePackType.Map:
                return ReadMap(start, depth);
            default:
                throw WrongType(start, "a value", code);
        }
    }

    private object?[] ReadArray(int start, int depth)
    {
        int count = ReadArrayHeader();
        EnterContainer(start, depth);
        if (count == 0) return [];
        var items = new object?[count];
        for (int i = 0; i < count; i++) items[i] = ReadValue(depth + 1);
        return items;
    }

    private Dictionary<object, object?> ReadMap(int start, int depth)
    {
        int count = ReadMapHeader();
        EnterContainer(start, depth);
        var map = new Dictionary<object, object?>(count);
        for (int i = 0; i < count; i++)
        {
            int keyStart = _position;
            object key = ReadValue(depth + 1) ?? throw new MessagePackException(keyStart, "expected a map key, found nil");
            if (!map.TryAdd(key, ReadValue(depth + 1)))
            {
                throw new MessagePackException(keyStart, $"expected distinct map keys, found {DescribeKey(key)} twice");
            }
        }

        return map;
    }

    // Called after the header of an array or map at `depth` was read, before its elements are.
    private readonly void EnterContainer(int start, int depth)
    {
        if (depth >= _maxDepth)
        {
            throw new MessagePackException(start, $"expected at most {_maxDepth} nested arrays and maps, found more");
        }

        // A generous MaxDepth must still not crash the process.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new MessagePackException(start, $"expected nesting the stack can hold, found {depth + 1} levels");
        }
    }

    private static string DescribeKey(object key) => key switch
    {
        string { Length: <= 64 } text => $"the key \"{text}\"",
        string => "a long string key",
        _ => $"the key {key}",
    };
}
