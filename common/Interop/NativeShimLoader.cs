using System.Reflection;
using System.Runtime.InteropServices;

namespace ZeroGym.Interop;

/// <summary>
/// Loads a C shim this project builds (<c>artifacts/native/lib*.so</c>, which the project of the assembly declaring
/// its functions copies next to that assembly), or a system library whose path a user may set (libzmq). One source file compiled into each assembly that has a shim
/// (<c>&lt;Compile Include="…" Link="…"/&gt;</c>, as dotnet/runtime shares its interop helpers): those assemblies share
/// no dependency but ZeroGym.Core, which holds no native code.
/// </summary>
internal static class NativeShimLoader
{
    /// <summary>
    /// Makes the P/Invoke declarations of <paramref name="assembly"/> find <paramref name="library"/> where the runtime
    /// looks by default (next to the assembly first); a missing library is reported with the setup step that builds it.
    /// <paramref name="buildStep"/> names what builds it, from the repository root ("agents/ZeroGym.Torch/Interop/Native/build.sh").
    /// Call once per assembly (the runtime allows one resolver each), from the static constructor of its declarations.
    /// </summary>
    public static void Register(Assembly assembly, string library, string buildStep) =>
        NativeLibrary.SetDllImportResolver(assembly, (name, caller, searchPath) => Resolve(name, caller, searchPath, library, buildStep));

    /// <summary>
    /// Makes the P/Invoke declarations of <paramref name="assembly"/> load the system library <paramref name="library"/>
    /// from the path in the environment variable <paramref name="pathVariable"/> when it is set, else where the system
    /// loader finds it; a library that cannot be loaded is reported with <paramref name="installHint"/> and the variable.
    /// </summary>
    public static void RegisterSystemLibrary(Assembly assembly, string library, string pathVariable, string installHint) =>
        NativeLibrary.SetDllImportResolver(assembly, (name, caller, searchPath) =>
            ResolveSystemLibrary(name, caller, searchPath, library, Environment.GetEnvironmentVariable(pathVariable), pathVariable, installHint));

    /// <summary>
    /// Loads <paramref name="name"/> when it is <paramref name="library"/> (from <paramref name="path"/> when that is
    /// set and not empty), else returns zero so that the runtime resolves it as usual.
    /// </summary>
    public static IntPtr ResolveSystemLibrary(
        string name, Assembly assembly, DllImportSearchPath? searchPath, string library, string? path, string pathVariable, string installHint)
    {
        if (name != library) return IntPtr.Zero;
        if (!string.IsNullOrEmpty(path))
        {
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException error)
            {
                throw new DllNotFoundException($"{pathVariable} names {path}, which could not be loaded as {library}: {error.Message}", error);
            }
        }

        try
        {
            return NativeLibrary.Load(name, assembly, searchPath);
        }
        catch (DllNotFoundException error)
        {
            throw new DllNotFoundException($"{library} could not be loaded: {installHint}, or set {pathVariable} to its path. {error.Message}", error);
        }
    }

    /// <summary>
    /// Loads <paramref name="name"/> when it is <paramref name="library"/>, else returns zero so that the runtime
    /// resolves it as usual. A shim that is missing is a setup step not run: the error says which one, not only the
    /// paths tried.
    /// </summary>
    public static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath, string library, string buildStep)
    {
        if (name != library) return IntPtr.Zero;
        try
        {
            return NativeLibrary.Load(name, assembly, searchPath);
        }
        catch (DllNotFoundException error)
        {
            throw new DllNotFoundException(
                $"{library}.so could not be loaded. It is built by scripts/setup ({buildStep}) and copied next to the "
                + $"{assembly.GetName().Name} assembly by its project. {error.Message}", error);
        }
    }
}
