namespace ZeroGym.Torch;

// Parameterless layers, for use inside Sequential.

/// <summary>max(x, 0) elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>tanh(x) elementwise.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>Merges every dimension after the batch dimension: [N, ...] to [N, product].</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(1);
}
