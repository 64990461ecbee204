using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>Owns one <c>mjModel</c>; releasing it frees the model.</summary>
internal sealed class ModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Called by the interop marshaller for handles the shim returns.</summary>
    public ModelHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.FreeModel(handle);
        return true;
    }
}
