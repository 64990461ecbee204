using System.Runtime.InteropServices;

namespace ZeroGym.Envs.Interop.LibM;

/// <summary>
/// The C math library (glibc's libm), for the functions whose exact bits matter and that .NET does not provide:
/// numpy calls these same functions, so calling them too reproduces its results bit for bit.
/// </summary>
internal static partial class LibM
{
    private const string Library = "libm.so.6";

    /// <summary>
    /// log(1 + x), accurate for small x. .NET's <c>double.LogP1</c> computes <c>Math.Log(1 + x)</c>, which
    /// rounds 1 + x first and so gives other bits.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "log1p")]
    internal static partial double Log1P(double x);
}
