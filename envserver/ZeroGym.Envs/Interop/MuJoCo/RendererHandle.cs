using Microsoft.Win32.SafeHandles;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>Owns one renderer of the shim: an EGL context with MuJoCo's scene and OpenGL resources.</summary>
internal sealed class RendererHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Called by the interop marshaller for handles the shim returns.</summary>
    public RendererHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.FreeRenderer(handle);
        return true;
    }
}
