using System.Collections;
using ZeroGym.Arrays;

namespace ZeroGym;

/// <summary>
/// Row operations on batched values (observations, actions, infos: an NDArray whose first dimension is the batch, a map
/// or list of such values, Gymnasium's vector info layout), so a vector env spanning several nodes can split what it
/// sends and join what it receives.
/// </summary>
internal static class Batches
{
    /// <summary>The rows <paramref name="rows"/> of a batched value, in that order.</summary>
    public static object? Take(object? value, IReadOnlyList<int> rows) => value switch
    {
        NDArray array => TakeRows(array, rows),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(entry => entry.Key, entry => Take(entry.Value, rows)),
        // A list of NDArrays or maps is a tuple of batched values; a list of anything else holds one value per row.
        IList list when list.Count > 0 && list[0] is NDArray or IReadOnlyDictionary<string, object?> => list.Cast<object?>().Select(item => Take(item, rows)).ToList(),
        IList list => rows.Select(row => list[row]).ToList(),
        null => null,
        _ => throw new NotSupportedException($"a vector env spanning nodes splits NDArrays, maps and lists by rows; found a {value.GetType().Name}"),
    };

    /// <summary>The batched values of <paramref name="parts"/> (each with its row count) one after the other.</summary>
    public static object? Concat(IReadOnlyList<(object? Value, int Count)> parts)
    {
        if (parts.Count == 1) return parts[0].Value;
        var sample = parts.Select(part => part.Value).FirstOrDefault(value => value is not null);
        return sample switch
        {
            NDArray array => ConcatRows(parts.Select(part => (part.Value as NDArray, part.Count)).ToList(), array),
            IReadOnlyDictionary<string, object?> => ConcatMaps(parts),
            IList => parts.SelectMany(part => part.Value is IList list ? list.Cast<object?>() : Enumerable.Repeat<object?>(null, part.Count)).ToList(),
            null => null,
            _ => throw new NotSupportedException($"a vector env spanning nodes joins NDArrays, maps and lists by rows; found a {sample.GetType().Name}"),
        };
    }

    /// <summary>Entries <paramref name="rows"/> of a batch, in that order.</summary>
    public static VectorBatch Take(VectorBatch batch, IReadOnlyList<int> rows) => new(
        rows.Select(row => batch.EnvIds[row]).ToArray(), Take(batch.Observations, rows)!,
        rows.Select(row => batch.Rewards[row]).ToArray(), rows.Select(row => batch.Terminated[row]).ToArray(),
        rows.Select(row => batch.Truncated[row]).ToArray(), (IReadOnlyDictionary<string, object?>)Take(batch.Info, rows)!);

    /// <summary>The entries of <paramref name="batches"/> one after the other.</summary>
    public static VectorBatch Concat(IReadOnlyList<VectorBatch> batches)
    {
        if (batches.Count == 1) return batches[0];
        return new VectorBatch(
            batches.SelectMany(batch => batch.EnvIds).ToArray(), Concat(batches.Select(batch => ((object?)batch.Observations, batch.Count)).ToList())!,
            batches.SelectMany(batch => batch.Rewards).ToArray(), batches.SelectMany(batch => batch.Terminated).ToArray(),
            batches.SelectMany(batch => batch.Truncated).ToArray(), ConcatMaps(batches.Select(batch => ((object?)batch.Info, batch.Count)).ToList()));
    }

    /// <summary>Sets <c>key</c> and <c>_key</c> of a vector info to <paramref name="mask"/> (Gymnasium's layout).</summary>
    public static IReadOnlyDictionary<string, object?> WithFlag(IReadOnlyDictionary<string, object?> info, string key, bool[] mask)
    {
        var flagged = info.ToDictionary(entry => entry.Key, entry => entry.Value);
        flagged[key] = NDArray.From(mask, mask.Length);
        flagged["_" + key] = NDArray.From((bool[])mask.Clone(), mask.Length);
        return flagged;
    }

    private static NDArray TakeRows(NDArray array, IReadOnlyList<int> rows)
    {
        if (array.Rank == 0) throw new ArgumentException($"a batched array has a leading dimension; found a 0-d {array.DType.Name()} array");
        int rowBytes = array.Shape[0] == 0 ? 0 : array.Data.Length / array.Shape[0];
        var data = new byte[rowBytes * rows.Count];
        for (int k = 0; k < rows.Count; k++) Buffer.BlockCopy(array.Data, rows[k] * rowBytes, data, k * rowBytes, rowBytes);
        return new NDArray(array.DType, [rows.Count, .. array.Shape.AsSpan(1)], data);
    }

    private static NDArray ConcatRows(IReadOnlyList<(NDArray? Array, int Count)> parts, NDArray sample)
    {
        int[] rowShape = sample.Shape[1..];
        int rowBytes = (int)NDArray.CountOf(rowShape) * sample.DType.ItemSize();
        int total = parts.Sum(part => part.Count);
        var data = new byte[rowBytes * total];
        int offset = 0;
        foreach (var (array, count) in parts)
        {
            // A part without this info key leaves zeros (its mask entries false).
            if (array is not null)
            {
                if (array.DType != sample.DType || !array.Shape.AsSpan(1).SequenceEqual(rowShape))
                {
                    throw new ZeroGymException(ZeroGymClient.BadReply,
                        $"the nodes of a vector env must give rows of one dtype and shape; found {sample.DType.Name()} {NDArray.FormatShape(rowShape)} and {array.DType.Name()} {NDArray.FormatShape(array.Shape.AsSpan(1))}");
                }

                Buffer.BlockCopy(array.Data, 0, data, offset, count * rowBytes);
            }

            offset += count * rowBytes;
        }

        return new NDArray(sample.DType, [total, .. rowShape], data);
    }

    private static IReadOnlyDictionary<string, object?> ConcatMaps(IReadOnlyList<(object? Value, int Count)> parts)
    {
        var keys = parts.SelectMany(part => part.Value is IReadOnlyDictionary<string, object?> map ? map.Keys : []).Distinct().ToList();
        return keys.ToDictionary(key => key, key => Concat(parts.Select(part =>
            (part.Value is IReadOnlyDictionary<string, object?> map && map.TryGetValue(key, out var value) ? value : null, part.Count)).ToList()));
    }
}
