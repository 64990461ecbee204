using System.Buffers;
using System.Collections;
using ZeroGym.Arrays;
using MessagePack;
using ZeroGym.Spaces;

namespace ZeroGym.Protocol.Wire;

/// <summary>
/// The one mapping between wire trees (decoded MessagePack) and domain values: arrays, spaces and the values
/// inside them (SPEC.md §2). Reading throws <see cref="FormatException"/> saying what was expected and found.
/// </summary>
public static class WireFormat
{
    /// <summary>Writes an array as SPEC.md §2.1's <c>{dtype, shape, data}</c> map.</summary>
    public static void WriteArray(ref MessagePackWriter writer, NDArray array)
    {
        writer.WriteMapHeader(3);
        writer.WriteString("dtype"u8);
        writer.Write(array.DType.Name());
        writer.WriteString("shape"u8);
        WriteShape(ref writer, array.Shape);
        writer.WriteString("data"u8);
        writer.Write(array.Data.AsSpan());
    }

    /// <summary>
    /// Reads one value in wire form: array maps become <see cref="NDArray"/>s (their data copied once, straight from
    /// the input), other maps <c>Dictionary&lt;string, object?&gt;</c>, lists <c>object?[]</c>, scalars as in
    /// <see cref="WireValue.ReadTree"/>. Throws <see cref="FormatException"/> for a map with a non-string or repeated
    /// key or a malformed array, <see cref="WireDecodeException"/> for broken bytes.
    /// </summary>
    public static object? ReadValue(ref MessagePackReader reader, string what = "value") =>
        WireValue.Guard(ref reader, WireValue.DefaultMaxDepth, what, static (ref MessagePackReader r, int limit, string path) =>
            new WireValue.Walker(limit, wireForm: true).Read(ref r, 0, path));

    /// <summary>Reads a map of exactly the keys dtype, shape and data as an array; null (reader left anywhere) if it is not one.</summary>
    internal static NDArray? TryReadArrayMap(ref MessagePackReader reader, string what)
    {
        if (reader.ReadMapHeader() != 3) return null;
        string? dtypeName = null;
        int[]? shape = null;
        byte[]? data = null;
        for (int i = 0; i < 3; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String || !reader.TryReadStringSpan(out var key)) return null;
            if (key.SequenceEqual("dtype"u8) && reader.NextMessagePackType == MessagePackType.String) dtypeName = reader.ReadString();
            else if (key.SequenceEqual("shape"u8) && reader.NextMessagePackType == MessagePackType.Array)
            {
                int rank = reader.ReadArrayHeader();
                shape = new int[rank];
                for (int d = 0; d < rank; d++)
                {
                    if (reader.NextMessagePackType != MessagePackType.Integer || reader.NextCode == MessagePackCode.UInt64) return null;
                    long dimension = reader.ReadInt64();
                    if (dimension < 0 || dimension > int.MaxValue) return null;
                    shape[d] = (int)dimension;
                }
            }
            else if (key.SequenceEqual("data"u8) && reader.NextMessagePackType == MessagePackType.Binary) data = reader.ReadBytes()!.Value.ToArray();
            else return null;
        }

        if (dtypeName is null || shape is null || data is null) return null;
        return ToArray(dtypeName, shape, data, what);
    }

    /// <summary>Whether a decoded map is an array: exactly the keys dtype, shape and data.</summary>
    public static bool IsArrayTree(IDictionary map) =>
        map.Count == 3 && map.Contains("dtype") && map.Contains("shape") && map.Contains("data");

    /// <summary>Reads an array map (or passes an <see cref="NDArray"/> through), checking that the data length matches dtype and shape.</summary>
    public static NDArray ReadArray(object? tree, string what)
    {
        if (tree is NDArray array) return array;
        if (tree is not IDictionary map || !IsArrayTree(map))
        {
            throw new FormatException($"{what} must be an array map {{dtype, shape, data}}; got {Space.Describe(tree)}");
        }

        if (map["dtype"] is not string dtypeName)
        {
            throw new FormatException($"{what}: dtype must be a numpy dtype name such as 'float32'; got {Space.Describe(map["dtype"])}");
        }

        if (map["shape"] is not object?[] dimensions || dimensions.Any(d => d is not (long and >= 0 and <= int.MaxValue)))
        {
            throw new FormatException($"{what}: shape must be a list of non-negative integers; got {Space.Describe(map["shape"])}");
        }

        if (map["data"] is not byte[] data)
        {
            throw new FormatException($"{what}: data must be bin bytes; got {Space.Describe(map["data"])}");
        }

        return ToArray(dtypeName, dimensions.Select(d => (int)(long)d!).ToArray(), data, what);
    }

    private static NDArray ToArray(string dtypeName, int[] shape, byte[] data, string what)
    {
        if (!DTypes.TryParse(dtypeName, out var dtype))
        {
            throw new FormatException($"{what}: dtype must be a numpy dtype name such as 'float32'; got '{dtypeName}'");
        }

        long bytes = dtype.ItemSize();
        foreach (int dimension in shape)
        {
            bytes *= dimension;
            if (bytes > data.Length) break;
        }

        if (bytes != data.Length)
        {
            throw new FormatException(
                $"{what}: shape {NDArray.FormatShape(shape)} of {dtypeName} does not fit the {data.Length} bytes of data");
        }

        return new NDArray(dtype, shape, data);
    }

    /// <summary>
    /// Replaces every array map inside a decoded tree by an <see cref="NDArray"/> and every string-keyed map by a
    /// <c>Dictionary&lt;string, object?&gt;</c>, so values can be handed to <see cref="Space.Coerce"/> and to envs.
    /// </summary>
    public static object? FromTree(object? tree, string what = "value") => tree switch
    {
        IDictionary map when IsArrayTree(map) => ReadArray(map, what),
        IDictionary map => ToStringKeyedMap(map, what),
        object?[] items => items.Select(item => FromTree(item, what)).ToArray(),
        _ => tree,
    };

    /// <summary>A decoded map with string keys, values converted by <see cref="FromTree"/>.</summary>
    public static Dictionary<string, object?> ToStringKeyedMap(object? tree, string what)
    {
        if (tree is not IDictionary map) throw new FormatException($"{what} must be a map; got {Space.Describe(tree)}");
        var result = new Dictionary<string, object?>(map.Count);
        foreach (DictionaryEntry entry in map)
        {
            if (entry.Key is not string key) throw new FormatException($"{what} must have string keys; got key {Space.Describe(entry.Key)}");
            result[key] = FromTree(entry.Value, $"{what}['{key}']");
        }

        return result;
    }

    /// <summary>Writes a space as SPEC.md §2.2 describes.</summary>
    public static void WriteSpace(ref MessagePackWriter writer, Space space)
    {
        switch (space)
        {
            case Box box:
                writer.WriteMapHeader(5);
                writer.Write("type"); writer.Write("Box");
                writer.Write("shape"); WriteShape(ref writer, box.Shape);
                writer.Write("dtype"); writer.Write(box.DType.Name());
                writer.Write("low"); WriteArray(ref writer, box.Low);
                writer.Write("high"); WriteArray(ref writer, box.High);
                break;
            case Discrete discrete:
                writer.WriteMapHeader(3);
                writer.Write("type"); writer.Write("Discrete");
                writer.Write("n"); writer.Write(discrete.N);
                writer.Write("start"); writer.Write(discrete.Start);
                break;
            case MultiBinary multiBinary:
                writer.WriteMapHeader(2);
                writer.Write("type"); writer.Write("MultiBinary");
                writer.Write("shape"); WriteShape(ref writer, multiBinary.Shape);
                break;
            case MultiDiscrete multiDiscrete:
                writer.WriteMapHeader(3);
                writer.Write("type"); writer.Write("MultiDiscrete");
                writer.Write("nvec"); WriteArray(ref writer, multiDiscrete.Nvec);
                writer.Write("start"); WriteArray(ref writer, multiDiscrete.Start);
                break;
            case DictSpace dict:
                writer.WriteMapHeader(2);
                writer.Write("type"); writer.Write("Dict");
                writer.Write("spaces");
                writer.WriteMapHeader(dict.Spaces.Count);
                foreach (var (name, member) in dict.Spaces)
                {
                    writer.Write(name);
                    WriteSpace(ref writer, member);
                }

                break;
            case TupleSpace tuple:
                writer.WriteMapHeader(2);
                writer.Write("type"); writer.Write("Tuple");
                writer.Write("spaces");
                writer.WriteArrayHeader(tuple.Spaces.Count);
                foreach (var member in tuple.Spaces) WriteSpace(ref writer, member);
                break;
            default:
                throw new ArgumentException($"{space.GetType().Name} has no wire form");
        }
    }

    /// <summary>Reads a space written by <see cref="WriteSpace"/>.</summary>
    public static Space ReadSpace(object? tree, string what = "space")
    {
        if (tree is not IDictionary map || map["type"] is not string type)
        {
            throw new FormatException($"{what} must be a map with a 'type'; got {Space.Describe(tree)}");
        }

        object? Field(string key) =>
            map.Contains(key) ? map[key] : throw new FormatException($"{what} of type {type} lacks '{key}'");
        long Integer(string key) =>
            Field(key) as long? ?? throw new FormatException($"{what}.{key} must be an integer; got {Space.Describe(Field(key))}");

        try
        {
            return type switch
            {
                "Box" => new Box(ReadArray(Field("low"), $"{what}.low"), ReadArray(Field("high"), $"{what}.high")),
                "Discrete" => new Discrete(Integer("n"), Integer("start")),
                "MultiBinary" => new MultiBinary(ReadShape(Field("shape"), $"{what}.shape")),
                "MultiDiscrete" => new MultiDiscrete(ReadArray(Field("nvec"), $"{what}.nvec"), ReadArray(Field("start"), $"{what}.start")),
                "Dict" => new DictSpace(ToStringKeyedTree(Field("spaces"), $"{what}.spaces")
                    .Select(pair => KeyValuePair.Create(pair.Key, ReadSpace(pair.Value, $"{what}.spaces['{pair.Key}']")))),
                "Tuple" => new TupleSpace((Field("spaces") as object?[] ?? throw new FormatException($"{what}.spaces must be a list"))
                    .Select((member, i) => ReadSpace(member, $"{what}.spaces[{i}]"))),
                _ => throw new FormatException($"{what} has unknown type '{type}'; expected Box, Discrete, MultiBinary, MultiDiscrete, Dict or Tuple"),
            };
        }
        catch (ArgumentException error)
        {
            throw new FormatException($"{what}: {error.Message}", error);
        }
    }

    private static void WriteShape(ref MessagePackWriter writer, int[] shape)
    {
        writer.WriteArrayHeader(shape.Length);
        foreach (int dimension in shape) writer.Write(dimension);
    }

    private static int[] ReadShape(object? tree, string what) =>
        tree is object?[] items && items.All(item => item is long and >= 0 and <= int.MaxValue)
            ? items.Select(item => (int)(long)item!).ToArray()
            : throw new FormatException($"{what} must be a list of non-negative integers; got {Space.Describe(tree)}");

    private static IEnumerable<KeyValuePair<string, object?>> ToStringKeyedTree(object? tree, string what)
    {
        if (tree is not IDictionary map) throw new FormatException($"{what} must be a map; got {Space.Describe(tree)}");
        foreach (DictionaryEntry entry in map)
        {
            yield return KeyValuePair.Create(
                entry.Key as string ?? throw new FormatException($"{what} must have string keys"), entry.Value);
        }
    }
}
