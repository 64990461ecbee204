namespace ZeroGym.Arrays;

/// <summary>Element types of <see cref="NDArray"/>, named on the wire exactly as numpy names them.</summary>
public enum DType
{
    Bool,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

public static class DTypes
{
    private static readonly string[] Names =
        ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"];

    private static readonly int[] Sizes = [1, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8];

    /// <summary>The numpy name: "float32", "uint8", "bool"...</summary>
    public static string Name(this DType dtype) => Names[(int)dtype];

    /// <summary>Bytes per element.</summary>
    public static int ItemSize(this DType dtype) => Sizes[(int)dtype];

    public static bool IsFloatingPoint(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    public static bool IsInteger(this DType dtype) => dtype is >= DType.Int8 and <= DType.UInt64;

    public static bool TryParse(string name, out DType dtype)
    {
        int index = Array.IndexOf(Names, name);
        dtype = (DType)Math.Max(index, 0);
        return index >= 0;
    }

    public static DType Parse(string name) =>
        TryParse(name, out var dtype)
            ? dtype
            : throw new FormatException($"unknown dtype '{name}': expected one of {string.Join(", ", Names)}");

    /// <summary>The dtype that stores a C# element type <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(bool) ? DType.Bool
        : typeof(T) == typeof(sbyte) ? DType.Int8
        : typeof(T) == typeof(byte) ? DType.UInt8
        : typeof(T) == typeof(short) ? DType.Int16
        : typeof(T) == typeof(ushort) ? DType.UInt16
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(uint) ? DType.UInt32
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(ulong) ? DType.UInt64
        : typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : throw new NotSupportedException($"{typeof(T).Name} has no numpy dtype");
}
