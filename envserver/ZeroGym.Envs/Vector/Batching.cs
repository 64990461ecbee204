using System.Collections;
using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Vector;

/// <summary>
/// Spaces and values of N envs at once, as Gymnasium's <c>gymnasium.vector.utils</c> (<c>batch_space</c>,
/// <c>concatenate</c>, <c>iterate</c>): arrays gain a leading dimension N, a <see cref="Discrete"/> value becomes
/// an int64 array (N,), <see cref="DictSpace"/> and <see cref="TupleSpace"/> batch each member.
/// </summary>
public static class Batching
{
    /// <summary>
    /// The space of N values of <paramref name="single"/>: Box → Box with a leading N; Discrete → MultiDiscrete;
    /// MultiDiscrete and MultiBinary → an integer Box with a leading N; Dict and Tuple member by member.
    /// </summary>
    public static Space BatchSpace(Space single, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"a batch needs at least one env; got {n}");
        return single switch
        {
            Box box => new Box(Tile(box.Low, n), Tile(box.High, n)),
            Discrete discrete => new MultiDiscrete(Filled(discrete.N, n), Filled(discrete.Start, n)),
            MultiDiscrete multi => new Box(Tile(multi.Start, n), LastValues(multi, n)),
            MultiBinary binary => new Box(0, 1, [n, .. binary.Shape], DType.Int8),
            TupleSpace tuple => new TupleSpace(tuple.Spaces.Select(space => BatchSpace(space, n))),
            DictSpace dict => new DictSpace(dict.Spaces.Select(pair => KeyValuePair.Create(pair.Key, BatchSpace(pair.Value, n)))),
            _ => throw Unsupported(single),
        };
    }

    /// <summary>
    /// One batched value from the canonical values of N envs: value i lands at index i of the leading dimension.
    /// Values must be canonical for <paramref name="single"/> (dtype and shape); others throw <see cref="ArgumentException"/>.
    /// No values give an empty batch (arrays with a leading dimension 0), as a batch of results that all failed needs.
    /// </summary>
    public static object Concatenate(Space single, IReadOnlyList<object> values)
    {
        switch (single)
        {
            case Box box:
                return Stack(single, values, box.DType, box.Shape);
            case MultiDiscrete multi:
                return Stack(single, values, DType.Int64, multi.Shape);
            case MultiBinary binary:
                return Stack(single, values, DType.Int8, binary.Shape);
            case Discrete:
                var batch = new long[values.Count];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = values[i] as long? ?? throw NotCanonical(single, values[i], "an integer (long)");
                }

                return NDArray.From(batch, batch.Length);
            case TupleSpace tuple:
                var members = new object[tuple.Spaces.Count];
                for (int m = 0; m < members.Length; m++)
                {
                    var column = new object[values.Count];
                    for (int i = 0; i < column.Length; i++)
                    {
                        column[i] = values[i] is IReadOnlyList<object> items && items.Count == members.Length
                            ? items[m]
                            : throw NotCanonical(single, values[i], $"a list of {members.Length} values");
                    }

                    members[m] = Concatenate(tuple.Spaces[m], column);
                }

                return members;
            case DictSpace dict:
                var entries = new Dictionary<string, object>();
                foreach (var (key, space) in dict.Spaces)
                {
                    var column = new object[values.Count];
                    for (int i = 0; i < column.Length; i++)
                    {
                        column[i] = values[i] is IReadOnlyDictionary<string, object> map && map.TryGetValue(key, out var item)
                            ? item
                            : throw NotCanonical(single, values[i], $"a map with key '{key}'");
                    }

                    entries[key] = Concatenate(space, column);
                }

                return entries;
            default:
                throw Unsupported(single);
        }
    }

    /// <summary>
    /// The N per-env values of a batched value (the inverse of <see cref="Concatenate"/>); arrays are copied. The batch
    /// must be canonical for <c>BatchSpace(single, n)</c>: arrays of the exact dtype with shape (n, ...).
    /// </summary>
    public static IReadOnlyList<object> Iterate(Space single, object batched, int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"a batch needs at least one env; got {n}");
        switch (single)
        {
            case Box box:
                return Unstack(single, batched, n, box.DType, box.Shape);
            case MultiDiscrete multi:
                return Unstack(single, batched, n, DType.Int64, multi.Shape);
            case MultiBinary binary:
                return Unstack(single, batched, n, DType.Int8, binary.Shape);
            case Discrete:
                var array = CheckBatch(single, batched, n, DType.Int64, []);
                var longs = array.AsSpan<long>();
                var values = new object[n];
                for (int i = 0; i < n; i++) values[i] = BoxedAction(longs[i]);
                return values;
            case TupleSpace tuple:
                if (batched is not IList members || members.Count != tuple.Spaces.Count)
                {
                    throw NotBatch(single, batched, n, $"a list of {tuple.Spaces.Count} batched values");
                }

                var memberValues = new IReadOnlyList<object>[members.Count];
                for (int m = 0; m < memberValues.Length; m++) memberValues[m] = Iterate(tuple.Spaces[m], members[m]!, n);
                var tuples = new object[n];
                for (int i = 0; i < n; i++)
                {
                    var items = new object[memberValues.Length];
                    for (int m = 0; m < items.Length; m++) items[m] = memberValues[m][i];
                    tuples[i] = items;
                }

                return tuples;
            case DictSpace dict:
                if (batched is not IReadOnlyDictionary<string, object> map)
                {
                    throw NotBatch(single, batched, n, "a map of batched values");
                }

                var keyValues = new List<(string Key, IReadOnlyList<object> Values)>();
                foreach (var (key, space) in dict.Spaces)
                {
                    if (!map.TryGetValue(key, out var member)) throw NotBatch(single, batched, n, $"a map with key '{key}'");
                    keyValues.Add((key, Iterate(space, member, n)));
                }

                var maps = new object[n];
                for (int i = 0; i < n; i++)
                {
                    var entries = new Dictionary<string, object>();
                    foreach (var (key, column) in keyValues) entries[key] = column[i];
                    maps[i] = entries;
                }

                return maps;
            default:
                throw Unsupported(single);
        }
    }

    private static NDArray Stack(Space single, IReadOnlyList<object> values, DType dtype, int[] shape)
    {
        int itemBytes = (int)NDArray.CountOf(shape) * dtype.ItemSize();
        var data = new byte[checked(itemBytes * values.Count)];
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is not NDArray array || array.DType != dtype || !array.ShapeEquals(shape))
            {
                throw NotCanonical(single, values[i], $"an array of {dtype.Name()} with shape {NDArray.FormatShape(shape)}");
            }

            array.Data.CopyTo(data, i * itemBytes);
        }

        return new NDArray(dtype, [values.Count, .. shape], data);
    }

    private static object[] Unstack(Space single, object batched, int n, DType dtype, int[] shape)
    {
        var array = CheckBatch(single, batched, n, dtype, shape);
        int itemBytes = array.Data.Length / n;
        var values = new object[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = new NDArray(dtype, (int[])shape.Clone(), array.Data.AsSpan(i * itemBytes, itemBytes).ToArray());
        }

        return values;
    }

    private static NDArray CheckBatch(Space single, object batched, int n, DType dtype, int[] shape)
    {
        int[] expected = [n, .. shape];
        return batched is NDArray array && array.DType == dtype && array.ShapeEquals(expected)
            ? array
            : throw NotBatch(single, batched, n, $"an array of {dtype.Name()} with shape {NDArray.FormatShape(expected)}");
    }

    /// <summary><paramref name="value"/> repeated n times along a new leading dimension, as <c>np.tile</c>.</summary>
    private static NDArray Tile(NDArray value, int n)
    {
        var data = new byte[checked(value.Data.Length * n)];
        for (int i = 0; i < n; i++) value.Data.CopyTo(data, i * value.Data.Length);
        return new NDArray(value.DType, [n, .. value.Shape], data);
    }

    private static NDArray Filled(long value, int n)
    {
        var values = new long[n];
        Array.Fill(values, value);
        return NDArray.From(values, n);
    }

    /// <summary>The largest value of each element, start + nvec - 1, tiled n times.</summary>
    private static NDArray LastValues(MultiDiscrete multi, int n)
    {
        var starts = multi.Start.AsSpan<long>();
        var counts = multi.Nvec.AsSpan<long>();
        var last = new long[starts.Length];
        for (int i = 0; i < last.Length; i++) last[i] = starts[i] + counts[i] - 1;
        return Tile(NDArray.From(last, multi.Shape), n);
    }

    private static NotSupportedException Unsupported(Space space) =>
        new($"cannot batch {space} ({space.GetType().Name}): only Box, Discrete, MultiDiscrete, MultiBinary, Dict and Tuple spaces batch");

    private static ArgumentException NotCanonical(Space single, object? value, string expected) =>
        new($"a value of {single} must be {expected}; got {Space.Describe(value)}");

    private static ArgumentException NotBatch(Space single, object? value, int n, string expected) =>
        new($"a batch of {n} values of {single} must be {expected}; got {Space.Describe(value)}");

    // Discrete actions are small: their boxes are shared rather than allocated for every sub-env at every step.
    private static readonly object[] SmallActionBoxes = [.. Enumerable.Range(0, 256).Select(value => (object)(long)value)];

    private static object BoxedAction(long value) => (ulong)value < (ulong)SmallActionBoxes.Length ? SmallActionBoxes[value] : value;
}
