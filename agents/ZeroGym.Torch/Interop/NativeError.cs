using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace ZeroGym.Torch.Interop;

/// <summary>The one place that turns the shim's recorded failure into a <see cref="TorchException"/>.</summary>
internal static class NativeError
{
    /// <summary>Throws the message of the last failure on this thread; call right after the failing shim call.</summary>
    [DoesNotReturn]
    public static void Throw()
    {
        string message = Marshal.PtrToStringUTF8(NativeMethods.LastError()) ?? "";
        throw new TorchException(message.Trim());
    }
}
