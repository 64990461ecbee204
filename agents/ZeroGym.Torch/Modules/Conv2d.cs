namespace ZeroGym.Torch;

/// <summary>A 2-D convolution with a square kernel: parameters "weight" [out, in, k, k] and "bias" [out].</summary>
public sealed class Conv2d : Module
{
    private readonly int weightSlot;
    private readonly int biasSlot;
    private readonly long stride;
    private readonly long padding;

    /// <summary>Creates the layer with PyTorch's default initialisation, drawn from torch's generator.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        Device? device = null)
    {
        long fanIn = inChannels * kernelSize * kernelSize;
        weightSlot = RegisterParameter(
            "weight", UniformInitialised([outChannels, inChannels, kernelSize, kernelSize], fanIn, device));
        biasSlot = RegisterParameter("bias", UniformInitialised([outChannels], fanIn, device));
        this.stride = stride;
        this.padding = padding;
    }

    /// <summary>Input [N, in, H, W] to output [N, out, H', W'].</summary>
    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Parameter(weightSlot), Parameter(biasSlot), stride, padding);
}
