using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using ZeroGym.Envs.MuJoCo;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>
/// The int status a shim function that can fail returns (0 success, -1 failure). Its marshaller throws the message the
/// shim recorded, so a declaration returning <see cref="Status"/> is checked on every call without code at the call site.
/// </summary>
[NativeMarshalling(typeof(StatusMarshaller))]
internal readonly struct Status
{
}

/// <summary>The one place that turns a failing status into a <see cref="MuJoCoException"/> with the shim's message.</summary>
[CustomMarshaller(typeof(Status), MarshalMode.ManagedToUnmanagedOut, typeof(StatusMarshaller))]
internal static class StatusMarshaller
{
    public static Status ConvertToManaged(int status)
    {
        if (status == 0) return default;
        // The shim's message says what it was doing and why it failed, as "stepping the simulation: ...".
        string message = Marshal.PtrToStringUTF8(NativeMethods.LastError())?.Trim() ?? "";
        throw new MuJoCoException(message.Length > 0 ? message : $"{NativeMethods.Library} failed (status {status}) and gave no reason");
    }
}
