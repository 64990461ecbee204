using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>
/// PyTorch's SGD (torch.optim.SGD, no dampening, not Nesterov): b ← momentum·b + g, θ ← θ − lr·b
/// (θ ← θ − lr·g without momentum). One native call per step.
/// </summary>
public sealed unsafe class Sgd : Optimizer
{
    private readonly Tensor[] momentumBuffers;
    private readonly double lr;
    private readonly double momentum;

    /// <summary>Creates zero momentum buffers when <paramref name="momentum"/> is not 0.</summary>
    public Sgd(IReadOnlyList<Tensor> parameters, double lr, double momentum = 0) : base(parameters)
    {
        this.lr = lr;
        this.momentum = momentum;
        momentumBuffers = momentum == 0 ? [] : ZerosLikeParameters();
    }

    /// <inheritdoc />
    public override long StepCount { get; set; }

    /// <inheritdoc />
    public override void Step()
    {
        int count = Params.Count;
        Span<IntPtr> pointers = count <= 32 ? stackalloc IntPtr[2 * count] : new IntPtr[2 * count];
        using var parameterList = new NativeTensorList(Params, pointers[..count]);
        using var bufferList = new NativeTensorList(momentumBuffers, pointers.Slice(count, momentumBuffers.Length));
        fixed (IntPtr* all = pointers)
        {
            NativeMethods.SgdStep(all, momentumBuffers.Length == 0 ? null : all + count, count, lr, momentum);
        }

        StepCount++;
    }

    /// <summary>"i.momentum_buffer" for each parameter i (nothing without momentum), as in PyTorch's state_dict.</summary>
    public override IReadOnlyList<(string Name, Tensor State)> NamedState()
    {
        var named = new List<(string Name, Tensor State)>(momentumBuffers.Length);
        for (int i = 0; i < momentumBuffers.Length; i++) named.Add(($"{i}.momentum_buffer", momentumBuffers[i]));
        return named;
    }
}
