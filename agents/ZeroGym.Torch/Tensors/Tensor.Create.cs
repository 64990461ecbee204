using System.Runtime.InteropServices;
using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>A float32 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<float> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>A float64 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<double> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>An int64 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<long> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>An int32 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<int> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>A uint8 tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<byte> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>A bool tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (C order).</summary>
    public static Tensor From(ReadOnlySpan<bool> data, ReadOnlySpan<long> shape, Device? device = null) =>
        FromElements(data, shape, device);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Full(shape, 0, type, device);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Full(shape, 1, type, device);

    /// <summary>A tensor whose every element is <paramref name="value"/>.</summary>
    public static Tensor Full(
        ReadOnlySpan<long> shape, double value, ScalarType type = ScalarType.Float32, Device? device = null)
    {
        Device where = device ?? Device.Cpu;
        fixed (long* sizes = shape)
        {
            return new Tensor(NativeMethods.Full(sizes, shape.Length, value, type, where.Kind, where.Index));
        }
    }

    /// <summary>0, 1, ..., <paramref name="end"/> - 1.</summary>
    public static Tensor Arange(long end, ScalarType type = ScalarType.Int64, Device? device = null)
    {
        Device where = device ?? Device.Cpu;
        return new Tensor(NativeMethods.Arange(end, type, where.Kind, where.Index));
    }

    /// <summary>Uniform samples from [0, 1), drawn from torch's generator (<see cref="LibTorch.ManualSeed"/>).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Random(shape, normal: false, type, device);

    /// <summary>Standard normal samples, drawn from torch's generator (<see cref="LibTorch.ManualSeed"/>).</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, ScalarType type = ScalarType.Float32, Device? device = null) =>
        Random(shape, normal: true, type, device);

    /// <summary>The tensors joined along existing dimension <paramref name="dim"/> (torch.cat).</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: false);

    /// <summary>The tensors, all of one shape, stacked along a new dimension <paramref name="dim"/> (torch.stack).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, stack: true);

    /// <summary>A tensor holding a copy of <paramref name="bytes"/>, the little-endian elements in C order.</summary>
    internal static Tensor FromBytes(ReadOnlySpan<byte> bytes, ScalarType type, ReadOnlySpan<long> shape, Device device)
    {
        fixed (byte* data = bytes)
        fixed (long* sizes = shape)
        {
            return new Tensor(
                NativeMethods.FromData(data, bytes.Length, type, sizes, shape.Length, device.Kind, device.Index));
        }
    }

    private static Tensor FromElements<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device)
        where T : unmanaged
    {
        long expected = 1;
        foreach (long size in shape) expected *= size;
        if (data.Length != expected)
        {
            throw new ArgumentException(
                $"expected {expected} elements for shape [{string.Join(", ", shape.ToArray())}], found {data.Length}",
                nameof(data));
        }

        return FromBytes(MemoryMarshal.AsBytes(data), ScalarTypes.Of<T>(), shape, device ?? Device.Cpu);
    }

    private static Tensor Random(ReadOnlySpan<long> shape, bool normal, ScalarType type, Device? device)
    {
        Device where = device ?? Device.Cpu;
        fixed (long* sizes = shape)
        {
            return new Tensor(NativeMethods.Rand(sizes, shape.Length, normal ? 1 : 0, type, where.Kind, where.Index));
        }
    }

    private static Tensor Join(IReadOnlyList<Tensor> tensors, long dim, bool stack)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Span<IntPtr> pointers = tensors.Count <= 16 ? stackalloc IntPtr[tensors.Count] : new IntPtr[tensors.Count];
        using var list = new NativeTensorList(tensors, pointers);
        fixed (IntPtr* first = pointers)
        {
            return new Tensor(NativeMethods.Cat(first, tensors.Count, dim, stack ? 1 : 0));
        }
    }
}
