using System.Runtime.InteropServices;
using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>A copy of the elements in C order, from any device; <typeparamref name="T"/> must match
    /// <see cref="Type"/> (float for Float32, long for Int64, ...).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var elements = new T[NumElements];
        CopyBytesTo(MemoryMarshal.AsBytes(elements.AsSpan()));
        return elements;
    }

    /// <summary>Copies the elements in C order into the start of <paramref name="destination"/>;
    /// <typeparamref name="T"/> must match <see cref="Type"/>.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        long count = NumElements;
        if (destination.Length < count)
        {
            throw new ArgumentException(
                $"expected room for {count} elements, found {destination.Length}", nameof(destination));
        }

        CopyBytesTo(MemoryMarshal.AsBytes(destination[..(int)count]));
    }

    /// <summary>The only element, as float; the tensor must hold exactly one.</summary>
    public float ItemFloat() => (float)ItemDouble();

    /// <summary>The only element, as double; the tensor must hold exactly one.</summary>
    public double ItemDouble()
    {
        NativeMethods.ItemDouble(Handle, out double value);
        return value;
    }

    /// <summary>The only element, as long; the tensor must hold exactly one.</summary>
    public long ItemLong()
    {
        NativeMethods.ItemLong(Handle, out long value);
        return value;
    }

    /// <summary>The only element, as bool (non-zero is true); the tensor must hold exactly one.</summary>
    public bool ItemBool() => ItemLong() != 0;

    /// <summary>Copies all elements' bytes (C order, little-endian); the length must be exact.</summary>
    internal void CopyBytesTo(Span<byte> destination)
    {
        fixed (byte* bytes = destination) NativeMethods.CopyTo(Handle, bytes, destination.Length);
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        ScalarType requested = ScalarTypes.Of<T>();
        ScalarType actual = Type;
        if (requested != actual)
        {
            throw new InvalidOperationException(
                $"the tensor holds {actual} elements, not {typeof(T).Name} ({requested}); convert it with To first");
        }
    }
}
