namespace ZeroGym.Torch;

/// <summary>A fully connected layer: y = x Wᵀ + b, parameters "weight" [out, in] and "bias" [out].</summary>
public sealed class Linear : Module
{
    private readonly int weightSlot;
    private readonly int biasSlot = -1;

    /// <summary>Creates the layer with PyTorch's default initialisation, drawn from torch's generator.</summary>
    public Linear(long inFeatures, long outFeatures, bool bias = true, Device? device = null)
    {
        weightSlot = RegisterParameter("weight", UniformInitialised([outFeatures, inFeatures], inFeatures, device));
        if (bias) biasSlot = RegisterParameter("bias", UniformInitialised([outFeatures], inFeatures, device));
    }

    /// <summary>The weight, of shape [out, in].</summary>
    public Tensor Weight => Parameter(weightSlot);

    /// <summary>The bias, of shape [out], or null for a layer without.</summary>
    public Tensor? Bias => biasSlot < 0 ? null : Parameter(biasSlot);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
