using System.Runtime.InteropServices;

namespace ZeroGym.Envs.Interop.Libretro;

/// <summary>
/// One privately loaded copy of a libretro core. A core keeps its whole state in globals, so every emulator
/// loads its own copy of the file: the dynamic loader maps copies at different paths separately, each with its
/// own globals.
/// </summary>
internal sealed class LibretroLibraryHandle : SafeHandle
{
    private LibretroLibraryHandle(nint library)
        : base(invalidHandleValue: 0, ownsHandle: true) => SetHandle(library);

    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Copies <paramref name="corePath"/> into <paramref name="privateDirectory"/>, loads the copy and deletes
    /// the file at once: the mapping outlives the file on Linux, and nothing is left behind if the process dies.
    /// </summary>
    public static LibretroLibraryHandle LoadPrivateCopy(string corePath, string privateDirectory)
    {
        if (!File.Exists(corePath)) throw new LibretroException($"no libretro core at '{corePath}'");
        string copy = Path.Combine(privateDirectory, Path.GetFileName(corePath));
        File.Copy(corePath, copy, overwrite: true);
        try
        {
            return new LibretroLibraryHandle(NativeLibrary.Load(copy));
        }
        catch (Exception error) when (error is DllNotFoundException or BadImageFormatException)
        {
            throw new LibretroException($"cannot load the libretro core '{corePath}': {error.Message}", error);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>The address of an exported <c>retro_*</c> function; a core without it is not a libretro core.</summary>
    public nint Export(string name) =>
        NativeLibrary.TryGetExport(handle, name, out nint address)
            ? address
            : throw new LibretroException($"the libretro core has no '{name}': not a libretro core, or a broken one");

    protected override bool ReleaseHandle()
    {
        NativeLibrary.Free(handle);
        return true;
    }
}
