using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

public class OptimizerTests
{
    [Fact]
    public void Adam_TwoSteps_MatchTheHandComputedUpdate()
    {
        using Tensor p = Tensor.From([1.0, -2.0], [2]);
        p.RequiresGrad = true;
        using var adam = new Adam([p], lr: 0.1);
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, lr = 0.1;

        // Step 1: loss = 0.5·p₀ − 3·p₁, so g = (0.5, −3).
        (p * Tensor.From([0.5, -3.0], [2])).Sum().Backward();
        adam.Step();
        double[] after1 = p.ToArray<double>();

        double[] g1 = [0.5, -3.0];
        double[] m1 = [(1 - beta1) * g1[0], (1 - beta1) * g1[1]];
        double[] v1 = [(1 - beta2) * g1[0] * g1[0], (1 - beta2) * g1[1] * g1[1]];
        double[] expected1 = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double denominator = Math.Sqrt(v1[i]) / Math.Sqrt(1 - beta2) + eps;
            expected1[i] = new[] { 1.0, -2.0 }[i] - lr / (1 - beta1) * m1[i] / denominator;
        }

        Approx.Equal(expected1, after1, 1e-15);
        // The first Adam step moves every coordinate by almost exactly lr against its gradient's sign.
        Approx.Equal([0.9, -1.9], after1, 1e-8);

        // Step 2: loss = Σ p², so g = 2p.
        adam.ZeroGrad();
        p.Pow(2).Sum().Backward();
        adam.Step();
        double[] after2 = p.ToArray<double>();

        double[] expected2 = new double[2];
        for (int i = 0; i < 2; i++)
        {
            double g2 = 2 * after1[i];
            double m2 = beta1 * m1[i] + (1 - beta1) * g2;
            double v2 = beta2 * v1[i] + (1 - beta2) * g2 * g2;
            double denominator = Math.Sqrt(v2) / Math.Sqrt(1 - beta2 * beta2) + eps;
            expected2[i] = after1[i] - lr / (1 - beta1 * beta1) * m2 / denominator;
        }

        Approx.Equal(expected2, after2, 1e-15);
        Assert.Equal(2, adam.StepCount);
    }

    [Fact]
    public void Adam_LearningRateChangedBetweenSteps_ScalesTheNextStep()
    {
        using Tensor p = Tensor.From([1.0], [1]);
        p.RequiresGrad = true;
        using var adam = new Adam([p], lr: 0.1);

        (p * 3.0).Sum().Backward();
        adam.Step();
        adam.ZeroGrad();
        adam.LearningRate = 0.01;
        (p * 3.0).Sum().Backward();
        adam.Step();

        // With a constant gradient Adam's bias-corrected step is lr (to within ε): 0.1, then 0.01.
        Approx.Equal([1.0 - 0.1 - 0.01], p.ToArray<double>(), 1e-7);
        Assert.Equal(0.01, adam.LearningRate);
    }

    [Fact]
    public void Adam_WithWeightDecay_AddsDecayTimesParameterToTheGradient()
    {
        using Tensor p = Tensor.From([2.0], [1]);
        p.RequiresGrad = true;
        using var adam = new Adam([p], lr: 0.01, beta1: 0.5, beta2: 0.75, eps: 0.1, weightDecay: 0.5);

        (p * 3).Sum().Backward();
        adam.Step();

        // g = 3 + 0.5·2 = 4; m = 0.5·4 = 2; v = 0.25·16 = 4; m̂ = 2/0.5 = 4; √v̂ = √(4/0.25) = 4.
        Assert.Equal(2.0 - 0.01 * 4 / (4 + 0.1), p.ItemDouble(), 1e-15);
    }

    [Fact]
    public void Adam_LeavesParametersWithoutGradientUntouched()
    {
        using Tensor used = Tensor.From([1f], [1]);
        using Tensor unused = Tensor.From([5f], [1]);
        used.RequiresGrad = true;
        unused.RequiresGrad = true;
        using var adam = new Adam([used, unused]);

        (used * 2).Sum().Backward();
        adam.Step();

        Assert.NotEqual(1f, used.ItemFloat());
        Assert.Equal(5f, unused.ItemFloat());
    }

    [Fact]
    public void Adam_NamedState_UsesPyTorchsNamesAndShapes()
    {
        using var layer = new Linear(3, 2);
        using var adam = new Adam(layer.Parameters());

        var state = adam.NamedState();

        Assert.Equal(["0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"], state.Select(s => s.Name));
        Assert.Equal([2L, 3L], state[1].State.Shape);
        Assert.Equal([2L], state[2].State.Shape);
    }

    [Fact]
    public void SgdWithMomentum_TwoSteps_MatchTheHandComputedUpdate()
    {
        using Tensor p = Tensor.From([1.0, -2.0], [2]);
        p.RequiresGrad = true;
        using var sgd = new Sgd([p], lr: 0.1, momentum: 0.9);

        // g₁ = (0.5, −3): buffer = g₁, p = (1 − 0.05, −2 + 0.3).
        (p * Tensor.From([0.5, -3.0], [2])).Sum().Backward();
        sgd.Step();
        double[] after1 = p.ToArray<double>();
        // g₂ = 2p = (1.9, −3.4): buffer = 0.9·(0.5, −3) + g₂ = (2.35, −6.1), p −= 0.1·buffer.
        sgd.ZeroGrad();
        p.Pow(2).Sum().Backward();
        sgd.Step();

        Approx.Equal([0.95, -1.7], after1, 1e-15);
        Approx.Equal([0.715, -1.09], p.ToArray<double>(), 1e-15);
        Assert.Equal(["0.momentum_buffer"], sgd.NamedState().Select(s => s.Name));
        Approx.Equal([2.35, -6.1], sgd.NamedState()[0].State.ToArray<double>(), 1e-15);
    }

    [Fact]
    public void SgdWithoutMomentum_StepsAgainstTheGradient_AndHasNoState()
    {
        using Tensor p = Tensor.From([1.0], [1]);
        p.RequiresGrad = true;
        using var sgd = new Sgd([p], lr: 0.25);

        (p * 2).Sum().Backward();
        sgd.Step();

        Assert.Equal(0.5, p.ItemDouble());
        Assert.Empty(sgd.NamedState());
    }

    [Fact]
    public void ClipGradNorm_ScalesAllGradientsByOneFactor_AndReturnsTheNormBeforeClipping()
    {
        using Tensor a = Tensor.From([1.0, 1.0], [2]);
        using Tensor b = Tensor.From([1.0], [1]);
        using Tensor noGrad = Tensor.From([1.0], [1]);
        a.RequiresGrad = true;
        b.RequiresGrad = true;
        noGrad.RequiresGrad = true;
        // Gradients (3, 4) and (12): joint norm √(9 + 16 + 144) = 13.
        ((a * Tensor.From([3.0, 4.0], [2])).Sum() + (b * 12).Sum()).Backward();

        double norm = GradClip.ClipGradNorm([a, b, noGrad], maxNorm: 6.5);

        double factor = 6.5 / (13 + 1e-6);
        Assert.Equal(13, norm, 1e-12);
        Approx.Equal([3 * factor, 4 * factor], a.Grad!.ToArray<double>(), 1e-15);
        Approx.Equal([12 * factor], b.Grad!.ToArray<double>(), 1e-15);
        Assert.Null(noGrad.Grad);
    }

    [Fact]
    public void ClipGradNorm_BelowTheLimit_LeavesGradientsUnchanged()
    {
        using Tensor a = Tensor.From([1.0, 1.0], [2]);
        a.RequiresGrad = true;
        (a * Tensor.From([3.0, 4.0], [2])).Sum().Backward();

        double norm = GradClip.ClipGradNorm([a], maxNorm: 100);

        Assert.Equal(5, norm, 1e-12);
        Assert.Equal([3.0, 4.0], a.Grad!.ToArray<double>());
        Assert.Equal(0, GradClip.ClipGradNorm([Tensor.Zeros([1])], maxNorm: 1));
    }
}
