using System.Collections;
using System.Globalization;
using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Testing;

/// <summary>Exact comparison, copying and description of observations, infos and actions (canonical space values).</summary>
internal static class CanonicalValues
{
    /// <summary>
    /// Bit-exact equality: arrays of the same dtype, shape and bytes; maps with the same keys and equal values; lists
    /// item by item; numbers by value (NaN equals NaN).
    /// </summary>
    public static bool Equal(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (NDArray a, NDArray b) => a.DType == b.DType && a.ShapeEquals(b.Shape) && a.Data.AsSpan().SequenceEqual(b.Data),
        (IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b) =>
            a.Count == b.Count && a.All(entry => b.TryGetValue(entry.Key, out var other) && Equal(entry.Value, other)),
        (string a, string b) => a == b,
        (IList a, IList b) => a.Count == b.Count && Enumerable.Range(0, a.Count).All(i => Equal(a[i], b[i])),
        (double a, double b) => a.Equals(b),
        _ => left.Equals(right),
    };

    /// <summary>A copy that later steps cannot change (an env may hand out one reused array).</summary>
    public static object? Copy(object? value) => value switch
    {
        NDArray array => new NDArray(array.DType, (int[])array.Shape.Clone(), (byte[])array.Data.Clone()),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(entry => entry.Key, entry => Copy(entry.Value)),
        string text => text,
        IList list => list.Cast<object?>().Select(Copy).ToList(),
        _ => value,
    };

    /// <summary>A short description for failure messages: an array as it prints itself, a map's keys and values.</summary>
    public static string Describe(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.Select(entry => $"{entry.Key}: {Describe(entry.Value)}")) + "}",
        _ => Space.Describe(value),
    };

    /// <summary>
    /// "<paramref name="left"/> and <paramref name="right"/>" for failure messages, with where two arrays of one dtype and
    /// shape first differ (a frame's description alone does not say).
    /// </summary>
    public static string Contrast(object? left, object? right)
    {
        string both = $"{Describe(left)} and {Describe(right)}";
        if (left is not NDArray a || right is not NDArray b || a.DType != b.DType || !a.ShapeEquals(b.Shape)) return both;
        var differing = Enumerable.Range(0, a.Length).Where(i => !a.GetDouble(i).Equals(b.GetDouble(i))).ToList();
        if (differing.Count == 0) return both;
        int first = differing[0];
        return $"{both}: {differing.Count} elements differ, the first at flat index {first}, " +
            $"{a.GetDouble(first).ToString("R", CultureInfo.InvariantCulture)} and {b.GetDouble(first).ToString("R", CultureInfo.InvariantCulture)}";
    }

    /// <summary>Why <paramref name="value"/> is not in <paramref name="space"/>: the dtype, shape or element that is wrong.</summary>
    public static string WhyNotIn(Space space, object? value)
    {
        if (space is not Box box) return $"{Describe(value)} is not in {space}";
        if (value is not NDArray array) return $"{space} holds arrays; got {Describe(value)}";
        if (array.DType != box.DType) return $"{space} holds {box.DType.Name()} arrays; got dtype {array.DType.Name()}";
        if (!array.ShapeEquals(box.Shape)) return $"{space} holds arrays of shape {NDArray.FormatShape(box.Shape)}; got shape {NDArray.FormatShape(array.Shape)}";
        for (int i = 0; i < array.Length; i++)
        {
            double element = array.GetDouble(i), low = box.Low.GetDouble(i), high = box.High.GetDouble(i);
            if (!(element >= low && element <= high))
            {
                return $"element {i} is {element.ToString("R", CultureInfo.InvariantCulture)}, outside its bounds " +
                    $"[{low.ToString("R", CultureInfo.InvariantCulture)}, {high.ToString("R", CultureInfo.InvariantCulture)}] in {space}";
            }
        }

        return $"{Describe(value)} is not in {space}";
    }
}
