using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

public sealed unsafe partial class Tensor
{
    /// <summary>A copy on <paramref name="device"/> (this tensor itself, as a new handle, if already there).</summary>
    public Tensor To(Device device) => new(NativeMethods.ToDevice(Handle, device.Kind, device.Index));

    /// <summary>The elements converted to <paramref name="type"/> (a new handle to this tensor if already of it).</summary>
    public Tensor To(ScalarType type) => new(NativeMethods.ToType(Handle, type));

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Unary(UnaryOp.Detach);

    /// <summary>A copy of the data (gradients flow back to this tensor).</summary>
    public Tensor Clone() => Unary(UnaryOp.Clone);

    /// <summary>The data laid out in C order (this tensor, as a new handle, if it already is).</summary>
    public Tensor Contiguous() => Unary(UnaryOp.Contiguous);

    /// <summary>The elements in a new shape; one size may be -1 (inferred). Copies only when a view is impossible.</summary>
    public Tensor Reshape(params ReadOnlySpan<long> shape) => NewShape(shape, view: false);

    /// <summary>A view with a new shape, sharing the data; fails where <see cref="Reshape"/> would need to copy.</summary>
    public Tensor View(params ReadOnlySpan<long> shape) => NewShape(shape, view: true);

    /// <summary>Dimensions <paramref name="startDim"/> to <paramref name="endDim"/> merged into one.</summary>
    public Tensor Flatten(long startDim = 0, long endDim = -1) =>
        new(NativeMethods.Flatten(Handle, startDim, endDim));

    /// <summary>Dimension <paramref name="dim"/> removed if its size is 1 (unchanged otherwise, as torch does).</summary>
    public Tensor Squeeze(long dim) => AlongDim(DimOp.Squeeze, dim);

    /// <summary>A new dimension of size 1 inserted at <paramref name="dim"/>.</summary>
    public Tensor Unsqueeze(long dim) => AlongDim(DimOp.Unsqueeze, dim);

    /// <summary>A view with dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public Tensor Transpose(long dim0, long dim1) => new(NativeMethods.Transpose(Handle, dim0, dim1));

    /// <summary>The rows (entries along dimension 0) at the int64 <paramref name="indices"/>, as for sampling a
    /// batch (index_select along dimension 0).</summary>
    public Tensor Index(Tensor indices) => Binary(BinaryOp.IndexSelect0, this, indices);

    /// <summary>A view of <paramref name="length"/> entries of dimension <paramref name="dim"/> from
    /// <paramref name="start"/>.</summary>
    public Tensor Narrow(long dim, long start, long length) => new(NativeMethods.Narrow(Handle, dim, start, length));

    private Tensor NewShape(ReadOnlySpan<long> shape, bool view)
    {
        fixed (long* sizes = shape)
        {
            return new Tensor(NativeMethods.Reshape(Handle, sizes, shape.Length, view ? 1 : 0));
        }
    }
}
