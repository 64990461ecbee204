using ZeroGym.Envs.MuJoCo;

namespace ZeroGym.Envs.Interop.MuJoCo;

/// <summary>
/// The version gate of libzerogym_mujoco: on first use it checks that the MuJoCo library loaded at run time is the
/// version whose headers the shim was compiled against (the shim reads mjModel and mjData fields, whose layout
/// changes between versions), and refuses to run otherwise.
/// </summary>
internal static class MuJoCoLibrary
{
    private static readonly Lazy<string?> VersionMismatch = new(() =>
        DescribeVersionMismatch(NativeMethods.LibraryVersion(), NativeMethods.HeaderVersion()));

    /// <summary>Throws <see cref="MuJoCoException"/> when the library and header versions differ.</summary>
    public static void EnsureCompatible()
    {
        if (VersionMismatch.Value is string message) throw new MuJoCoException(message);
    }

    /// <summary>Null when <c>mj_version()</c> equals <c>mjVERSION_HEADER</c>, else the message to refuse with.</summary>
    public static string? DescribeVersionMismatch(int libraryVersion, int headerVersion) =>
        libraryVersion == headerVersion
            ? null
            : $"the MuJoCo library loaded at run time is version {FormatVersion(libraryVersion)} (mj_version() = "
              + $"{libraryVersion}), but libzerogym_mujoco was compiled against the headers of version "
              + $"{FormatVersion(headerVersion)} (mjVERSION_HEADER = {headerVersion}); rebuild the shim with scripts/setup "
              + "against the installed libmujoco-dev, or install the MuJoCo it was built for";

    /// <summary>MuJoCo's version number as its release name: 222 is "2.2.2".</summary>
    public static string FormatVersion(int version) => $"{version / 100}.{version / 10 % 10}.{version % 10}";
}
