using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>Neural-network functions, as torch.nn.functional defines them.</summary>
public static class Functional
{
    /// <summary>input × weightᵀ + bias, with weight of shape [out, in].</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias) =>
        new(NativeMethods.Linear(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null));

    /// <summary>2-D convolution of input [N, C, H, W] with weight [out, C, k, k], equal stride and zero padding on
    /// both axes.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long stride = 1, long padding = 0) =>
        new(NativeMethods.Conv2d(input.Handle, weight.Handle, bias?.Handle ?? TensorHandle.Null, stride, padding));

    /// <summary>The mean of (input − target)².</summary>
    public static Tensor MseLoss(Tensor input, Tensor target) =>
        new(NativeMethods.Binary(BinaryOp.MseLoss, input.Handle, target.Handle));

    /// <summary>
    /// The mean over elements of 0.5 d² / <paramref name="beta"/> where |d| &lt; beta and |d| − 0.5 beta elsewhere,
    /// d = input − target (torch's smooth_l1_loss; the Huber loss divided by beta).
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, double beta = 1.0) =>
        new(NativeMethods.SmoothL1Loss(input.Handle, target.Handle, beta));
}
