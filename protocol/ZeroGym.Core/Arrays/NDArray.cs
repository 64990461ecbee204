using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace ZeroGym.Arrays;

/// <summary>
/// An n-dimensional array as it travels on the wire: a dtype, a shape and the elements as
/// little-endian C-order bytes, so numpy can wrap them with <c>numpy.frombuffer</c>.
/// </summary>
/// <remarks>The bytes are not copied on construction; treat an array as immutable once built.</remarks>
public sealed class NDArray
{
    public NDArray(DType dtype, int[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = CountOf(shape);
        if (count * dtype.ItemSize() != data.Length)
        {
            throw new ArgumentException(
                $"an array of {dtype.Name()} with shape {FormatShape(shape)} needs {count * dtype.ItemSize()} bytes; got {data.Length}",
                nameof(data));
        }

        DType = dtype;
        Shape = shape;
        Data = data;
    }

    public DType DType { get; }

    public int[] Shape { get; }

    /// <summary>Elements, little-endian, C order.</summary>
    public byte[] Data { get; }

    public int Rank => Shape.Length;

    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public int Length => Data.Length / DType.ItemSize();

    public static NDArray Zeros(DType dtype, params int[] shape) =>
        new(dtype, shape, new byte[CountOf(shape) * dtype.ItemSize()]);

    /// <summary>Wraps a copy of <paramref name="values"/>; the shape defaults to one dimension.</summary>
    public static NDArray From<T>(ReadOnlySpan<T> values, params int[] shape) where T : unmanaged
    {
        if (shape.Length == 0 && values.Length != 1) shape = [values.Length];
        return new NDArray(DTypes.Of<T>(), shape, MemoryMarshal.AsBytes(values).ToArray());
    }

    public static NDArray From<T>(T[] values, params int[] shape) where T : unmanaged =>
        From((ReadOnlySpan<T>)values, shape);

    /// <summary>A 0-d array holding one value.</summary>
    public static NDArray Scalar<T>(T value) where T : unmanaged => From([value], []);

    /// <summary>The elements reinterpreted as <typeparamref name="T"/>, which must match the dtype.</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (DTypes.Of<T>() != DType)
        {
            throw new InvalidOperationException($"array holds {DType.Name()}, not {DTypes.Of<T>().Name()}");
        }

        return MemoryMarshal.Cast<byte, T>(Data.AsSpan());
    }

    public T[] ToArray<T>() where T : unmanaged => AsSpan<T>().ToArray();

    /// <summary>Element <paramref name="index"/> (flat, C order) converted to double, whatever the dtype.</summary>
    public double GetDouble(int index)
    {
        var bytes = Data.AsSpan(index * DType.ItemSize());
        return DType switch
        {
            DType.Bool => bytes[0] != 0 ? 1 : 0,
            DType.Int8 => (sbyte)bytes[0],
            DType.UInt8 => bytes[0],
            DType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            DType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            DType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            DType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            DType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            DType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            DType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(bytes),
            DType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
            _ => throw new InvalidOperationException($"unknown dtype {DType}"),
        };
    }

    /// <summary>Element <paramref name="index"/> of an integer or bool array, exactly.</summary>
    public long GetInt64(int index)
    {
        var bytes = Data.AsSpan(index * DType.ItemSize());
        return DType switch
        {
            DType.UInt64 => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(bytes)),
            DType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            DType.Float32 or DType.Float64 => throw new InvalidOperationException($"array holds {DType.Name()}, not integers"),
            _ => (long)GetDouble(index),
        };
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (C casting rules, as numpy's astype).</summary>
    public NDArray AsType(DType dtype)
    {
        if (dtype == DType) return this;
        var result = Zeros(dtype, (int[])Shape.Clone());
        for (int i = 0; i < Length; i++)
        {
            result.SetDouble(i, DType.IsFloatingPoint() ? GetDouble(i) : GetInt64(i));
        }

        return result;
    }

    internal void SetDouble(int index, double value)
    {
        var bytes = Data.AsSpan(index * DType.ItemSize());
        switch (DType)
        {
            case DType.Bool: bytes[0] = value != 0 ? (byte)1 : (byte)0; break;
            case DType.Int8: bytes[0] = (byte)(sbyte)value; break;
            case DType.UInt8: bytes[0] = (byte)value; break;
            case DType.Int16: BinaryPrimitives.WriteInt16LittleEndian(bytes, (short)value); break;
            case DType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value); break;
            case DType.Int32: BinaryPrimitives.WriteInt32LittleEndian(bytes, (int)value); break;
            case DType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)value); break;
            case DType.Int64: BinaryPrimitives.WriteInt64LittleEndian(bytes, (long)value); break;
            case DType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)value); break;
            case DType.Float32: BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)value); break;
            case DType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(bytes, value); break;
        }
    }

    public bool ShapeEquals(ReadOnlySpan<int> shape) => Shape.AsSpan().SequenceEqual(shape);

    public static long CountOf(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int dimension in shape)
        {
            if (dimension < 0) throw new ArgumentException($"negative dimension in shape {FormatShape(shape)}");
            count *= dimension;
            if (count > int.MaxValue) throw new ArgumentException($"shape {FormatShape(shape)} has too many elements");
        }

        return count;
    }

    /// <summary>A shape as Python prints it: "(4,)", "(240, 256, 3)", "()".</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) =>
        shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape.ToArray()) + ")";

    public override string ToString()
    {
        var text = new StringBuilder($"array({FormatShape(Shape)}, {DType.Name()}");
        if (Length <= 8)
        {
            text.Append(", [");
            for (int i = 0; i < Length; i++) text.Append(i == 0 ? "" : ", ").Append(GetDouble(i));
            text.Append(']');
        }

        return text.Append(')').ToString();
    }
}
