using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>Gradient clipping, as torch.nn.utils.</summary>
public static unsafe class GradClip
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place so that their joint L2 norm is at most
    /// <paramref name="maxNorm"/> (by maxNorm / (norm + 1e-6) when larger) and returns the norm before clipping,
    /// as torch.nn.utils.clip_grad_norm_. Parameters without a gradient are ignored.
    /// </summary>
    public static double ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int count = parameters.Count;
        Span<IntPtr> pointers = count <= 32 ? stackalloc IntPtr[count] : new IntPtr[count];
        using var list = new NativeTensorList(parameters, pointers);
        fixed (IntPtr* first = pointers)
        {
            NativeMethods.ClipGradNorm(first, count, maxNorm, out double totalNorm);
            return totalNorm;
        }
    }
}
