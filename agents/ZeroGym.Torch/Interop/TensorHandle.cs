using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Torch.Interop;

/// <summary>Owns one native <c>at::Tensor</c> reference; releasing it (dispose or finalizer) frees that reference.</summary>
internal sealed class TensorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Passed where the shim accepts "no tensor", such as a layer without bias.</summary>
    public static readonly TensorHandle Null = new();

    /// <summary>Called by the interop marshaller for handles the shim returns.</summary>
    public TensorHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.TensorFree(handle);
        return true;
    }
}
