using ZeroGym.Arrays;

namespace ZeroGym.Spaces;

/// <summary>
/// A box in R^n (or Z^n): every element lies in [low, high]; bounds may be ±inf. As <c>gymnasium.spaces.Box</c>.
/// </summary>
public sealed class Box : Space
{
    /// <summary>A box with per-element bounds; <paramref name="low"/> and <paramref name="high"/> share shape and dtype.</summary>
    public Box(NDArray low, NDArray high)
    {
        if (low.DType != high.DType || !low.ShapeEquals(high.Shape))
        {
            throw new ArgumentException(
                $"low and high must share shape and dtype; got {NDArray.FormatShape(low.Shape)} {low.DType.Name()} and {NDArray.FormatShape(high.Shape)} {high.DType.Name()}");
        }

        for (int i = 0; i < low.Length; i++)
        {
            if (!(low.GetDouble(i) <= high.GetDouble(i)))
            {
                throw new ArgumentException($"low must not exceed high; element {i} has low {low.GetDouble(i)} and high {high.GetDouble(i)}");
            }
        }

        Low = low;
        High = high;
    }

    /// <summary>A box with the same bounds for every element.</summary>
    public Box(double low, double high, int[] shape, DType dtype)
        : this(Filled(low, shape, dtype), Filled(high, shape, dtype))
    {
    }

    public NDArray Low { get; }

    public NDArray High { get; }

    public int[] Shape => Low.Shape;

    public DType DType => Low.DType;

    public override bool Contains(object? value)
    {
        if (value is not NDArray array || array.DType != DType || !array.ShapeEquals(Shape)) return false;
        for (int i = 0; i < array.Length; i++)
        {
            double element = array.GetDouble(i);
            // NaN fails both comparisons, so NaN is never inside a box.
            if (!(element >= Low.GetDouble(i) && element <= High.GetDouble(i))) return false;
        }

        return true;
    }

    public override object Coerce(object? value)
    {
        var array = value switch
        {
            double or float or long or int when Low.Length == 1 =>
                NDArray.From([Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)], [.. Shape]),
            _ => AsArray(value),
        };
        if (array is null || array.Length != Low.Length)
        {
            throw NotConvertible(value, $"an array of shape {NDArray.FormatShape(Shape)}");
        }

        if (array.DType.IsFloatingPoint() && !DType.IsFloatingPoint())
        {
            throw NotConvertible(value, $"{DType.Name()} values, not {array.DType.Name()}");
        }

        // A (1, n) list for a (n,) box is a shape mistake, not a reshape: only equal shapes or flat lists pass.
        if (!array.ShapeEquals(Shape) && array.Rank != 1)
        {
            throw NotConvertible(value, $"an array of shape {NDArray.FormatShape(Shape)}");
        }

        var converted = array.AsType(DType);
        // An integer the box's dtype cannot hold (256 for uint8) would wrap or saturate into a valid-looking value.
        for (int i = 0; i < converted.Length && !DType.IsFloatingPoint(); i++)
        {
            if (converted.GetInt64(i) != array.GetInt64(i))
            {
                throw NotConvertible(value, $"integers a {DType.Name()} can hold; element {i} is {array.GetInt64(i)}");
            }
        }

        return converted.ShapeEquals(Shape) ? converted : new NDArray(DType, (int[])Shape.Clone(), converted.Data);
    }

    public override object Sample(Random random)
    {
        var sample = NDArray.Zeros(DType, (int[])Shape.Clone());
        for (int i = 0; i < sample.Length; i++)
        {
            double low = Low.GetDouble(i), high = High.GetDouble(i);
            if (!DType.IsFloatingPoint())
            {
                // Integer boxes sample uniformly from the integers in [low, high].
                double drawn = Math.Floor(low + random.NextDouble() * (high - low + 1));
                sample.SetDouble(i, Math.Min(drawn, high));
                continue;
            }

            bool boundedBelow = !double.IsNegativeInfinity(low), boundedAbove = !double.IsPositiveInfinity(high);
            double value = (boundedBelow, boundedAbove) switch
            {
                (true, true) => low + random.NextDouble() * (high - low),
                (true, false) => low + Exponential(random),
                (false, true) => high - Exponential(random),
                _ => Normal(random),
            };
            sample.SetDouble(i, value);
        }

        return sample;
    }

    public override bool Equals(Space? other) =>
        other is Box box && box.DType == DType && box.Low.ShapeEquals(Shape)
        && box.Low.Data.AsSpan().SequenceEqual(Low.Data) && box.High.Data.AsSpan().SequenceEqual(High.Data);

    public override int GetHashCode() => HashCode.Combine(DType, Shape.Length, Low.Length);

    public override string ToString()
    {
        string Bound(NDArray bound)
        {
            double first = bound.GetDouble(0);
            for (int i = 1; i < bound.Length; i++)
            {
                if (!bound.GetDouble(i).Equals(first)) return "[" + string.Join(" ", Enumerable.Range(0, bound.Length).Select(j => FormatNumber(bound.GetDouble(j), DType))) + "]";
            }

            return bound.Length == 0 ? "[]" : FormatNumber(first, DType);
        }

        return $"Box({Bound(Low)}, {Bound(High)}, {NDArray.FormatShape(Shape)}, {DType.Name()})";
    }

    private static NDArray Filled(double value, int[] shape, DType dtype)
    {
        var array = NDArray.Zeros(dtype, (int[])shape.Clone());
        for (int i = 0; i < array.Length; i++) array.SetDouble(i, value);
        return array;
    }

    private static double Exponential(Random random) => -Math.Log(1.0 - random.NextDouble());

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
