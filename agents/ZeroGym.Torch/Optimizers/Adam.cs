using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>
/// PyTorch's Adam (torch.optim.Adam, amsgrad off): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// θ ← θ − lr/(1−β₁ᵗ) · m / (√v / √(1−β₂ᵗ) + ε), with g = grad + weightDecay·θ.
/// One native call per step.
/// Unlike PyTorch, t counts optimiser steps, not steps in which each parameter had a gradient.
/// </summary>
public sealed unsafe class Adam : Optimizer
{
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double eps;
    private readonly double weightDecay;

    /// <summary>Creates zero moment estimates for every parameter.</summary>
    public Adam(IReadOnlyList<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0) : base(parameters)
    {
        LearningRate = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        expAvg = ZerosLikeParameters();
        expAvgSq = ZerosLikeParameters();
    }

    /// <inheritdoc />
    public override long StepCount { get; set; }

    /// <summary>The step size of the next <see cref="Step"/>; changing it between steps anneals it (as assigning
    /// param_groups[0]["lr"] does in PyTorch).</summary>
    public double LearningRate { get; set; }

    /// <inheritdoc />
    public override void Step()
    {
        int count = Params.Count;
        Span<IntPtr> pointers = count <= 32 ? stackalloc IntPtr[3 * count] : new IntPtr[3 * count];
        using var parameterList = new NativeTensorList(Params, pointers[..count]);
        using var expAvgList = new NativeTensorList(expAvg, pointers.Slice(count, count));
        using var expAvgSqList = new NativeTensorList(expAvgSq, pointers.Slice(2 * count, count));
        fixed (IntPtr* all = pointers)
        {
            NativeMethods.AdamStep(
                all, all + count, all + 2 * count, count, StepCount + 1, LearningRate, beta1, beta2, eps, weightDecay);
        }

        StepCount++;
    }

    /// <summary>"i.exp_avg" and "i.exp_avg_sq" for each parameter i, as in PyTorch's state_dict.</summary>
    public override IReadOnlyList<(string Name, Tensor State)> NamedState()
    {
        var named = new List<(string Name, Tensor State)>(2 * expAvg.Length);
        for (int i = 0; i < expAvg.Length; i++)
        {
            named.Add(($"{i}.exp_avg", expAvg[i]));
            named.Add(($"{i}.exp_avg_sq", expAvgSq[i]));
        }

        return named;
    }
}
