using System.Reflection;
using System.Runtime.InteropServices;

namespace ZeroGym.Tests.ZeroMQ;

/// <summary>
/// Where the binding finds libzmq: the system's <c>libzmq.so.5</c>, or the file <c>ZEROGYM_LIBZMQ</c> names (a user with
/// libzmq outside the loader's path); a path that does not load says which variable named it.
/// </summary>
public sealed class LibZmqLoadingTests
{
    private const string SystemLibzmq = "/usr/lib/x86_64-linux-gnu/libzmq.so.5";

    private static readonly Assembly Transport = typeof(ZeroGym.Transport.Interop.ZeroMQ.ZmqSocket).Assembly;

    private static IntPtr Resolve(string name, string? path) =>
        (IntPtr)Transport.GetType("ZeroGym.Interop.NativeShimLoader", throwOnError: true)!
            .GetMethod("ResolveSystemLibrary")!
            .Invoke(null, [name, Transport, null, "libzmq.so.5", path, "ZEROGYM_LIBZMQ", "apt-get install libzmq5"])!;

    [Fact]
    public void ThePathInTheVariable_IsLoaded_AndOtherLibrariesAreLeftToTheRuntime()
    {
        var handle = Resolve("libzmq.so.5", SystemLibzmq);
        Assert.NotEqual(IntPtr.Zero, handle);
        Assert.True(NativeLibrary.TryGetExport(handle, "zmq_version", out _));
        Assert.Equal(IntPtr.Zero, Resolve("libm.so.6", "/nowhere/libm.so.6"));
    }

    [Fact]
    public void APathThatDoesNotLoad_NamesTheVariableAndThePath()
    {
        var error = Assert.Throws<TargetInvocationException>(() => Resolve("libzmq.so.5", "/nowhere/libzmq.so.5"));
        var missing = Assert.IsType<DllNotFoundException>(error.InnerException);
        Assert.StartsWith("ZEROGYM_LIBZMQ names /nowhere/libzmq.so.5, which could not be loaded as libzmq.so.5", missing.Message);
    }

    [Fact]
    public void WithoutTheVariable_TheSystemLoaderFindsLibzmq()
    {
        Assert.NotEqual(IntPtr.Zero, Resolve("libzmq.so.5", null));
        Assert.NotEqual(IntPtr.Zero, Resolve("libzmq.so.5", ""));
    }
}
