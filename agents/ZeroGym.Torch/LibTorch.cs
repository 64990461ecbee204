using System.Runtime.InteropServices;
using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>Process-wide libtorch settings and the thread's autograd mode.</summary>
public static class LibTorch
{
    /// <summary>True when libtorch has CUDA support and sees at least one GPU.</summary>
    public static bool CudaIsAvailable => NativeMethods.CudaIsAvailable() != 0;

    /// <summary>The libtorch version the shim was compiled against, e.g. "1.13.0".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.Version()) ?? "";

    /// <summary>The number of threads libtorch uses for one operation (at::get/set_num_threads).</summary>
    public static int Threads
    {
        get => NativeMethods.GetNumThreads();
        set => NativeMethods.SetNumThreads(value);
    }

    /// <summary>Native tensors allocated and not yet freed, across all threads; for leak checks.</summary>
    internal static long LiveTensorCount => NativeMethods.LiveTensorCount();

    /// <summary>Seeds torch's CPU and CUDA generators, which <see cref="Tensor.Rand"/>, <see cref="Tensor.Randn"/>,
    /// <see cref="Tensor.Multinomial"/> and parameter initialisation draw from.</summary>
    public static void ManualSeed(long seed) => NativeMethods.ManualSeed(seed);

    /// <summary>
    /// Stops recording operations for autograd on this thread until the result is disposed, which restores the
    /// previous mode; use it around inference, target computations and in-place parameter updates.
    /// </summary>
    public static IDisposable NoGrad() => new GradModeRestorer(enabled: false);

    /// <summary>Opens a scope that disposes every tensor this thread creates until it is disposed (see
    /// <see cref="DisposeScope"/>).</summary>
    public static DisposeScope NewDisposeScope() => new();

    private sealed class GradModeRestorer : IDisposable
    {
        private readonly int previous;
        private bool disposed;

        public GradModeRestorer(bool enabled)
        {
            previous = NativeMethods.IsGradEnabled();
            NativeMethods.SetGradEnabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            NativeMethods.SetGradEnabled(previous);
        }
    }
}
