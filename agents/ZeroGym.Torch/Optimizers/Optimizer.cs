namespace ZeroGym.Torch;

/// <summary>
/// Updates parameters from their gradients. The optimiser keeps the parameter tensors it was given and owns its
/// state tensors (disposed with it); <see cref="NamedState"/> and <see cref="StepCount"/> are what a checkpoint
/// needs to resume exactly.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Tensor[] parameters;

    /// <summary>Takes the parameters to update, e.g. <see cref="Module.Parameters"/>.</summary>
    protected Optimizer(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = [.. parameters];
    }

    /// <summary>The parameters being optimised.</summary>
    protected IReadOnlyList<Tensor> Params => parameters;

    /// <summary>The number of steps taken (Adam's bias correction depends on it).</summary>
    public abstract long StepCount { get; set; }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public abstract void Step();

    /// <summary>The state tensors by name, "i.kind" for parameter i (PyTorch's names: exp_avg, momentum_buffer...);
    /// load a checkpoint by copying into them.</summary>
    public abstract IReadOnlyList<(string Name, Tensor State)> NamedState();

    /// <summary>Drops every parameter's gradient (grad = None).</summary>
    public void ZeroGrad()
    {
        foreach (Tensor parameter in parameters) parameter.ZeroGrad();
    }

    /// <summary>Disposes the state tensors (not the parameters).</summary>
    public void Dispose()
    {
        foreach (var (_, state) in NamedState()) state.Dispose();
    }

    /// <summary>One zero tensor per parameter, of its shape, type and device, outside any dispose scope.</summary>
    protected Tensor[] ZerosLikeParameters()
    {
        var zeros = new Tensor[parameters.Length];
        for (int i = 0; i < zeros.Length; i++)
        {
            Tensor parameter = parameters[i];
            zeros[i] = Tensor.Zeros(parameter.Shape, parameter.Type, parameter.Device).Unscoped();
        }

        return zeros;
    }
}
