using System.Globalization;
using ZeroGym.Arrays;

namespace ZeroGym.Spaces;

/// <summary>
/// The set of valid observations or actions, as Gymnasium's <c>gymnasium.spaces</c> defines them.
/// </summary>
/// <remarks>
/// Canonical values: <see cref="Box"/>, <see cref="MultiBinary"/> and <see cref="MultiDiscrete"/> hold an
/// <see cref="NDArray"/>; <see cref="Discrete"/> a <see cref="long"/>; <see cref="DictSpace"/> an
/// <c>IReadOnlyDictionary&lt;string, object&gt;</c>; <see cref="TupleSpace"/> an <c>IReadOnlyList&lt;object&gt;</c>.
/// </remarks>
public abstract class Space : IEquatable<Space>
{
    /// <summary>Whether <paramref name="value"/> is a canonical value inside this space.</summary>
    public abstract bool Contains(object? value);

    /// <summary>
    /// Converts a natural representation (an integer, a list of numbers, an array of another dtype) into this
    /// space's canonical value without checking bounds; throws <see cref="ArgumentException"/> saying what was
    /// expected and what was found when no conversion exists.
    /// </summary>
    public abstract object Coerce(object? value);

    /// <summary>A uniformly random element (Gymnasium's sampling rules for unbounded boxes).</summary>
    public abstract object Sample(Random random);

    public abstract bool Equals(Space? other);

    public override bool Equals(object? obj) => obj is Space space && Equals(space);

    public abstract override int GetHashCode();

    /// <summary>A short description of a value for error messages: "3", "array((6,), float32)", "null".</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string text => $"'{text}'",
        NDArray array => array.ToString(),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IList list => $"a list of {list.Count} items",
        System.Collections.IDictionary map => $"a map of {map.Count} entries",
        _ => value.GetType().Name,
    };

    private protected ArgumentException NotConvertible(object? value, string expected) =>
        new($"{this} expects {expected}; got {Describe(value)}");

    /// <summary>Reads a numeric value (an integer, a float, a bool or a 0-d array) as an NDArray of one element.</summary>
    private protected static NDArray? AsArray(object? value) => value switch
    {
        NDArray array => array,
        System.Collections.IList list => ListToArray(list),
        _ => null,
    };

    private static NDArray? ListToArray(System.Collections.IList list)
    {
        // A (possibly nested) list of numbers, as a Python client sends a list action.
        var shape = new List<int>();
        object? probe = list;
        while (probe is System.Collections.IList level)
        {
            shape.Add(level.Count);
            probe = level.Count > 0 ? level[0] : null;
        }

        var values = new List<double>();
        bool allIntegers = true;
        if (!Flatten(list, 0, shape, values, ref allIntegers)) return null;
        var dtype = allIntegers ? DType.Int64 : DType.Float64;
        var array = NDArray.Zeros(dtype, [.. shape]);
        for (int i = 0; i < values.Count; i++) array.SetDouble(i, values[i]);
        return array;
    }

    private static bool Flatten(System.Collections.IList list, int depth, List<int> shape, List<double> values, ref bool allIntegers)
    {
        if (list.Count != shape[depth]) return false;
        foreach (var item in list)
        {
            if (depth + 1 < shape.Count)
            {
                if (item is not System.Collections.IList inner || !Flatten(inner, depth + 1, shape, values, ref allIntegers)) return false;
            }
            else
            {
                switch (item)
                {
                    case long or int or ulong or bool: values.Add(Convert.ToDouble(item, CultureInfo.InvariantCulture)); break;
                    case double or float: values.Add(Convert.ToDouble(item, CultureInfo.InvariantCulture)); allIntegers = false; break;
                    default: return false;
                }
            }
        }

        return true;
    }

    /// <summary>A number as numpy prints an element of <paramref name="dtype"/>: "4.8", "-inf", "0.41887903", "255".</summary>
    private protected static string FormatNumber(double value, DType dtype = DType.Float64)
    {
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (!dtype.IsFloatingPoint()) return value.ToString("0", CultureInfo.InvariantCulture);
        string text = dtype == DType.Float32
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || text.Contains("NaN") ? text : text + ".0";
    }
}
