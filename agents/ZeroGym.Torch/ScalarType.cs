namespace ZeroGym.Torch;

/// <summary>Element type of a tensor. The values are the native shim's codes.</summary>
public enum ScalarType
{
    /// <summary>32-bit float (<see cref="float"/>), torch.float32.</summary>
    Float32 = 0,

    /// <summary>64-bit float (<see cref="double"/>), torch.float64.</summary>
    Float64 = 1,

    /// <summary>64-bit signed integer (<see cref="long"/>), torch.int64; indices are of this type.</summary>
    Int64 = 2,

    /// <summary>32-bit signed integer (<see cref="int"/>), torch.int32.</summary>
    Int32 = 3,

    /// <summary>Unsigned byte (<see cref="byte"/>), torch.uint8, as in image frames.</summary>
    UInt8 = 4,

    /// <summary>Boolean stored as one byte 0 or 1 (<see cref="bool"/>), torch.bool.</summary>
    Bool = 5,
}

internal static class ScalarTypes
{
    public static int ElementSize(this ScalarType type) => type switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.UInt8 or ScalarType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a ScalarType"),
    };

    /// <summary>The scalar type whose elements are <typeparamref name="T"/>.</summary>
    public static ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(byte) ? ScalarType.UInt8
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : throw new NotSupportedException(
            $"tensors hold float, double, long, int, byte or bool elements, not {typeof(T).Name}");
}
