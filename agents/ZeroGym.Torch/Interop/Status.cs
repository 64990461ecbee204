using System.Runtime.InteropServices.Marshalling;

namespace ZeroGym.Torch.Interop;

/// <summary>
/// The int status a shim function returns (0 success, otherwise failure). Its marshaller throws the recorded error,
/// so a declaration returning <see cref="Status"/> is checked on every call without code at the call site.
/// </summary>
[NativeMarshalling(typeof(StatusMarshaller))]
internal readonly struct Status
{
}

/// <summary>Turns a failing status into the <see cref="TorchException"/> the shim recorded.</summary>
[CustomMarshaller(typeof(Status), MarshalMode.ManagedToUnmanagedOut, typeof(StatusMarshaller))]
internal static class StatusMarshaller
{
    public static Status ConvertToManaged(int status)
    {
        if (status != 0) NativeError.Throw();
        return default;
    }
}
