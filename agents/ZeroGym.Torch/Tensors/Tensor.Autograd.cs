using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

public sealed partial class Tensor
{
    /// <summary>Accumulates the gradient of this scalar into the <see cref="Grad"/> of every leaf it depends on.</summary>
    public void Backward() => NativeMethods.Backward(Handle);

    /// <summary>
    /// Overwrites this tensor's elements with <paramref name="source"/>'s (broadcast, converted). On a parameter, do
    /// it under <see cref="LibTorch.NoGrad"/>: autograd refuses in-place changes of leaves that require grad.
    /// </summary>
    public void CopyFrom(Tensor source) => NativeMethods.CopyInPlace(Handle, source.Handle);

    /// <summary>Drops the accumulated gradient (grad = None, as PyTorch's zero_grad does by default).</summary>
    public void ZeroGrad() => NativeMethods.ZeroGrad(Handle);

    /// <summary>Fills with uniform samples from [low, high) drawn from torch's generator, unrecorded.</summary>
    internal void UniformInPlace(double low, double high) => NativeMethods.UniformInPlace(Handle, low, high);

    /// <summary>this ← this + weight × (end − this), unrecorded.</summary>
    internal void LerpInPlace(Tensor end, double weight) => NativeMethods.LerpInPlace(Handle, end.Handle, weight);

    /// <summary>Fills with a (semi-)orthogonal matrix times <paramref name="gain"/> drawn from torch's generator,
    /// unrecorded (torch.nn.init.orthogonal_).</summary>
    internal void OrthogonalInPlace(double gain) => NativeMethods.OrthogonalInPlace(Handle, gain);
}
