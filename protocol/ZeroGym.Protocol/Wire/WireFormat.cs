using System.Buffers;
using System.Collections;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Spaces;

namespace ZeroGym.Protocol.Wire;

/// <summary>
/// The one mapping between wire trees (decoded MessagePack) and domain values: arrays, spaces and the values
/// inside them (SPEC.md §2). Reading throws <see cref="FormatException"/> saying what was expected and found.
/// </summary>
public static class WireFormat
{
    /// <summary>SPEC.md §2.1's array map. Reading is <see cref="ReadValue"/>'s (the data copied once, straight from the frame).</summary>
    private static readonly MessageShape<NDArray> ArrayShape = new MessageShape<NDArray>("array", create: null)
        .Written("dtype", static (ref MessagePackWriter writer, NDArray array) => writer.Write(array.DType.Name()))
        .Written("shape", static (ref MessagePackWriter writer, NDArray array) => WriteShape(ref writer, array.Shape))
        .Written("data", static (ref MessagePackWriter writer, NDArray array) => writer.Write(array.Data.AsSpan()));

    // SPEC.md §2.2's space maps, one per type; reading is ReadSpace's, from the decoded tree.
    private static readonly MessageShape<Box> BoxShape = SpaceShape<Box>("Box")
        .Written("shape", static (ref MessagePackWriter writer, Box box) => WriteShape(ref writer, box.Shape))
        .Written("dtype", static (ref MessagePackWriter writer, Box box) => writer.Write(box.DType.Name()))
        .Written("low", static (ref MessagePackWriter writer, Box box) => WriteArray(ref writer, box.Low))
        .Written("high", static (ref MessagePackWriter writer, Box box) => WriteArray(ref writer, box.High));

    private static readonly MessageShape<Discrete> DiscreteShape = SpaceShape<Discrete>("Discrete")
        .Written("n", static (ref MessagePackWriter writer, Discrete discrete) => writer.Write(discrete.N))
        .Written("start", static (ref MessagePackWriter writer, Discrete discrete) => writer.Write(discrete.Start));

    private static readonly MessageShape<MultiBinary> MultiBinaryShape = SpaceShape<MultiBinary>("MultiBinary")
        .Written("shape", static (ref MessagePackWriter writer, MultiBinary multiBinary) => WriteShape(ref writer, multiBinary.Shape));

    private static readonly MessageShape<MultiDiscrete> MultiDiscreteShape = SpaceShape<MultiDiscrete>("MultiDiscrete")
        .Written("nvec", static (ref MessagePackWriter writer, MultiDiscrete multiDiscrete) => WriteArray(ref writer, multiDiscrete.Nvec))
        .Written("start", static (ref MessagePackWriter writer, MultiDiscrete multiDiscrete) => WriteArray(ref writer, multiDiscrete.Start));

    private static readonly MessageShape<DictSpace> DictShape = SpaceShape<DictSpace>("Dict")
        .Written("spaces", static (ref MessagePackWriter writer, DictSpace dict) =>
        {
            writer.WriteMapHeader(dict.Spaces.Count);
            foreach (var (name, member) in dict.Spaces)
            {
                writer.Write(name);
                WriteSpace(ref writer, member);
            }
        });

    private static readonly MessageShape<TupleSpace> TupleShape = SpaceShape<TupleSpace>("Tuple")
        .Written("spaces", static (ref MessagePackWriter writer, TupleSpace tuple) =>
        {
            writer.WriteArrayHeader(tuple.Spaces.Count);
            foreach (var member in tuple.Spaces) WriteSpace(ref writer, member);
        });

    private static MessageShape<TSpace> SpaceShape<TSpace>(string type) where TSpace : Space =>
        new MessageShape<TSpace>($"{type} space", create: null).Constant("type", type);

    /// <summary>Writes an array as SPEC.md §2.1's <c>{dtype, shape, data}</c> map.</summary>
    public static void WriteArray(ref MessagePackWriter writer, NDArray array) => ArrayShape.Write(ref writer, array);

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
            if (key.SequenceEqual("dtype"u8) && reader.NextMessagePackType == MessagePackType.String) dtypeName = WireValue.ReadString(ref reader);
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

    /// <summary>Writes a space as SPEC.md §2.2 describes.</summary>
    public static void WriteSpace(ref MessagePackWriter writer, Space space)
    {
        switch (space)
        {
            case Box box: BoxShape.Write(ref writer, box); break;
            case Discrete discrete: DiscreteShape.Write(ref writer, discrete); break;
            case MultiBinary multiBinary: MultiBinaryShape.Write(ref writer, multiBinary); break;
            case MultiDiscrete multiDiscrete: MultiDiscreteShape.Write(ref writer, multiDiscrete); break;
            case DictSpace dict: DictShape.Write(ref writer, dict); break;
            case TupleSpace tuple: TupleShape.Write(ref writer, tuple); break;
            default: throw new ArgumentException($"{space.GetType().Name} has no wire form");
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
