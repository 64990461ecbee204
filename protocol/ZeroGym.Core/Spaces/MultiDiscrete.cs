using ZeroGym.Arrays;

namespace ZeroGym.Spaces;

/// <summary>
/// Several discrete choices at once: element i lies in [start[i], start[i] + nvec[i]). Values are int64 arrays of
/// nvec's shape. As <c>gymnasium.spaces.MultiDiscrete</c>.
/// </summary>
public sealed class MultiDiscrete : Space
{
    public MultiDiscrete(NDArray nvec, NDArray? start = null)
    {
        Nvec = nvec.AsType(DType.Int64);
        Start = (start ?? NDArray.Zeros(DType.Int64, (int[])nvec.Shape.Clone())).AsType(DType.Int64);
        if (!Start.ShapeEquals(Nvec.Shape)) throw new ArgumentException("nvec and start must have the same shape");
        for (int i = 0; i < Nvec.Length; i++)
        {
            if (Nvec.GetInt64(i) <= 0) throw new ArgumentException($"MultiDiscrete needs every nvec element > 0; element {i} is {Nvec.GetInt64(i)}");
        }
    }

    /// <summary>A 1-d MultiDiscrete, one element per entry of <paramref name="nvec"/> (also when there is one).</summary>
    public MultiDiscrete(params long[] nvec) : this(NDArray.From(nvec, nvec.Length))
    {
    }

    public NDArray Nvec { get; }

    public NDArray Start { get; }

    public int[] Shape => Nvec.Shape;

    public override bool Contains(object? value)
    {
        if (value is not NDArray array || array.DType != DType.Int64 || !array.ShapeEquals(Shape)) return false;
        for (int i = 0; i < array.Length; i++)
        {
            long element = array.GetInt64(i), start = Start.GetInt64(i);
            if (element < start || element >= start + Nvec.GetInt64(i)) return false;
        }

        return true;
    }

    public override object Coerce(object? value)
    {
        var array = AsArray(value);
        if (array is null || !array.ShapeEquals(Shape) || array.DType.IsFloatingPoint())
        {
            throw NotConvertible(value, $"an integer array of shape {NDArray.FormatShape(Shape)}");
        }

        return array.AsType(DType.Int64);
    }

    public override object Sample(Random random)
    {
        var sample = NDArray.Zeros(DType.Int64, (int[])Shape.Clone());
        var elements = sample.AsSpan<long>();
        for (int i = 0; i < elements.Length; i++) elements[i] = Start.GetInt64(i) + random.NextInt64(Nvec.GetInt64(i));
        return sample;
    }

    public override bool Equals(Space? other) =>
        other is MultiDiscrete multi && multi.Nvec.ShapeEquals(Shape)
        && multi.Nvec.Data.AsSpan().SequenceEqual(Nvec.Data) && multi.Start.Data.AsSpan().SequenceEqual(Start.Data);

    public override int GetHashCode() => Nvec.Length;

    public override string ToString() => $"MultiDiscrete([{string.Join(" ", Nvec.ToArray<long>())}])";
}
