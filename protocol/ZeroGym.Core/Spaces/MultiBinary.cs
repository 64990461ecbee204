using ZeroGym.Arrays;

namespace ZeroGym.Spaces;

/// <summary>Arrays of 0s and 1s of a fixed shape (int8 values). As <c>gymnasium.spaces.MultiBinary</c>.</summary>
public sealed class MultiBinary : Space
{
    public MultiBinary(params int[] shape)
    {
        if (shape.Length == 0 || shape.Any(d => d <= 0)) throw new ArgumentException($"MultiBinary needs positive dimensions; got {NDArray.FormatShape(shape)}");
        Shape = shape;
    }

    public int[] Shape { get; }

    public override bool Contains(object? value)
    {
        if (value is not NDArray array || array.DType != DType.Int8 || !array.ShapeEquals(Shape)) return false;
        return array.Data.All(b => b <= 1);
    }

    public override object Coerce(object? value)
    {
        var array = AsArray(value);
        if (array is null || !array.ShapeEquals(Shape) || array.DType.IsFloatingPoint())
        {
            throw NotConvertible(value, $"an integer array of shape {NDArray.FormatShape(Shape)}");
        }

        return array.AsType(DType.Int8);
    }

    public override object Sample(Random random)
    {
        var sample = NDArray.Zeros(DType.Int8, (int[])Shape.Clone());
        for (int i = 0; i < sample.Length; i++) sample.Data[i] = (byte)random.Next(2);
        return sample;
    }

    public override bool Equals(Space? other) => other is MultiBinary multi && multi.Shape.AsSpan().SequenceEqual(Shape);

    public override int GetHashCode() => Shape.Length;

    public override string ToString() => Shape.Length == 1 ? $"MultiBinary({Shape[0]})" : $"MultiBinary({NDArray.FormatShape(Shape)})";
}
