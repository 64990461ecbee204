using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>Owns one <c>mjData</c>; releasing it frees the data (which does not need its model to be alive).</summary>
internal sealed class DataHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Called by the interop marshaller for handles the shim returns.</summary>
    public DataHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.FreeData(handle);
        return true;
    }
}
