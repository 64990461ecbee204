namespace ZeroGym.Torch;

/// <summary>
/// Parameter initialisations, as torch.nn.init: they overwrite a tensor in place (a module's parameter, typically),
/// without recording gradients, drawing any randomness from torch's generator (<see cref="LibTorch.ManualSeed"/>).
/// </summary>
public static class Init
{
    /// <summary>
    /// A (semi-)orthogonal matrix times <paramref name="gain"/> (torch.nn.init.orthogonal_, Saxe et al. 2014): the Q
    /// of a QR decomposition of a standard normal matrix, signs fixed by R's diagonal. Dimensions after the first are
    /// flattened; the tensor needs at least two.
    /// </summary>
    public static void Orthogonal(Tensor tensor, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.OrthogonalInPlace(gain);
    }

    /// <summary>Every element set to <paramref name="value"/> (torch.nn.init.constant_).</summary>
    public static void Constant(Tensor tensor, double value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = LibTorch.NoGrad();
        using var filled = Tensor.Full(tensor.Shape, value, tensor.Type, tensor.Device);
        tensor.CopyFrom(filled);
    }
}
