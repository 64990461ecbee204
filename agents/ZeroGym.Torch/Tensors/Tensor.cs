using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>
/// An n-dimensional array held by libtorch, on the CPU or a GPU, that autograd can differentiate through.
/// Every operation returns a new tensor that owns its own native reference: dispose it, let a
/// <see cref="DisposeScope"/> dispose it, or (slowly) leave it to the garbage collector. Using a disposed tensor
/// throws <see cref="ObjectDisposedException"/>; libtorch's errors throw <see cref="TorchException"/>.
/// </summary>
public sealed unsafe partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;

    /// <summary>Takes ownership of a handle the shim returned, throwing the shim's error if the call failed.</summary>
    internal Tensor(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            NativeError.Throw();
        }

        this.handle = handle;
        DisposeScope.Adopt(this);
    }

    /// <summary>The dispose scope that will dispose this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>The native handle, for passing to the shim.</summary>
    internal TensorHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle;
        }
    }

    /// <summary>The native handle even after disposal, for releasing references taken before.</summary>
    internal TensorHandle UncheckedHandle => handle;

    /// <summary>The size of each dimension, outermost first; empty for a scalar.</summary>
    public long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* sizes = shape) NativeMethods.Shape(Handle, sizes);
            return shape;
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Dim => NativeMethods.Dims(Handle);

    /// <summary>The number of elements (the product of <see cref="Shape"/>).</summary>
    public long NumElements => NativeMethods.NumElements(Handle);

    /// <summary>The element type.</summary>
    public ScalarType Type
    {
        get
        {
            int code = NativeMethods.TypeOf(Handle);
            return code >= 0
                ? (ScalarType)code
                : throw new NotSupportedException("the tensor's element type has no ScalarType (only float32, "
                    + "float64, int64, int32, uint8 and bool are supported)");
        }
    }

    /// <summary>Where the tensor lives.</summary>
    public Device Device
    {
        get
        {
            int index;
            DeviceKind kind = NativeMethods.DeviceOf(Handle, &index);
            return new Device(kind == DeviceKind.Cuda, index);
        }
    }

    /// <summary>Whether autograd records operations on this tensor; settable on leaf tensors of a float type.</summary>
    public bool RequiresGrad
    {
        get => NativeMethods.RequiresGrad(Handle) != 0;
        set => NativeMethods.SetRequiresGrad(Handle, value ? 1 : 0);
    }

    /// <summary>A new tensor sharing the gradient accumulated by <see cref="Backward"/>, or null if there is none.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Grad(Handle, out TensorHandle grad);
            if (!grad.IsInvalid) return new Tensor(grad);
            grad.Dispose();
            return null;
        }
    }

    /// <summary>Frees this tensor's native reference (the memory goes when no other tensor shares it).</summary>
    public void Dispose() => handle.Dispose();

    /// <summary>Leaves any dispose scope, for tensors that live as long as their owner: parameters, optimiser
    /// state.</summary>
    internal Tensor Unscoped()
    {
        Scope = null;
        return this;
    }

    /// <summary>Type, shape and device, e.g. "Tensor(Float32, [2, 3], cpu)".</summary>
    public override string ToString() =>
        handle.IsClosed ? "Tensor(disposed)" : $"Tensor({Type}, [{string.Join(", ", Shape)}], {Device})";
}
