using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

public class GradientTests
{
    // Central differences in float64 are accurate to about h² and rounding/h: 1e-6 relative is ample.
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData("mse")]
    [InlineData("smooth_l1")]
    public void MlpParameterGradients_OfEachLoss_MatchFiniteDifferences(string lossName)
    {
        LibTorch.ManualSeed(11);
        using var network = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 4), new Tanh(), new Linear(4, 2));
        network.To(ScalarType.Float64);
        using Tensor input = Tensor.Randn([6, 3], ScalarType.Float64);
        using Tensor target = Tensor.Randn([6, 2], ScalarType.Float64) * 2;
        Tensor Loss()
        {
            using Tensor output = network.Forward(input);
            return lossName == "mse" ? Functional.MseLoss(output, target) : Functional.SmoothL1Loss(output, target);
        }

        foreach (var (name, parameter) in network.NamedParameters())
        {
            double[] analytic = FiniteDifferences.Autograd(parameter, Loss);
            double[] numeric = FiniteDifferences.Gradient(parameter, Loss);
            Assert.True(analytic.Any(value => value != 0), $"{name} has an all-zero gradient: the test checks nothing");
            Approx.Equal(numeric, analytic, Tolerance);
        }
    }

    [Fact]
    public void InputGradient_ThroughSoftmaxLogSoftmaxGatherAndMax_MatchesFiniteDifferences()
    {
        LibTorch.ManualSeed(5);
        using Tensor logits = Tensor.Randn([4, 3], ScalarType.Float64);
        logits.RequiresGrad = true;
        using Tensor weights = Tensor.Randn([4, 3], ScalarType.Float64);
        using Tensor actions = Tensor.From([2L, 0L, 1L, 1L], [4, 1]);
        // A policy-gradient-like objective using every operation under test.
        Tensor Loss()
        {
            using Tensor logProbabilities = logits.LogSoftmax(1);
            using Tensor taken = logProbabilities.Gather(1, actions);
            using Tensor probabilities = logits.Softmax(1);
            using Tensor weighted = probabilities * weights;
            var (best, indices) = weighted.Max(1);
            using (indices)
            using (best)
            using (Tensor takenSum = taken.Sum())
            using (Tensor bestSum = best.Sum())
            {
                return takenSum + bestSum * 0.5;
            }
        }

        double[] analytic = FiniteDifferences.Autograd(logits, Loss);
        double[] numeric = FiniteDifferences.Gradient(logits, Loss);

        Approx.Equal(numeric, analytic, Tolerance);
    }

    [Fact]
    public void InputGradient_ThroughElementwiseArithmetic_MatchesFiniteDifferences()
    {
        using Tensor x = Tensor.From([0.5, 1.5, 2.0, 3.0], [2, 2]);
        x.RequiresGrad = true;
        using Tensor other = Tensor.From([1.0, -2.0, 0.5, 4.0], [2, 2]);
        Tensor Loss()
        {
            using Tensor a = (x * other + 1) / (2 + x.Pow(2));
            using Tensor b = x.Sqrt().Exp() - x.Log() * x.Abs();
            using Tensor c = (3 / x).Minimum(other).Maximum(x.Sigmoid()) - x.MatMul(other).Clamp(-1, 6);
            using Tensor total = a + b + c;
            return total.Mean(0).Sum() + total.Std();
        }

        Approx.Equal(FiniteDifferences.Gradient(x, Loss), FiniteDifferences.Autograd(x, Loss), Tolerance);
    }

    [Fact]
    public void Backward_AccumulatesUntilZeroGrad()
    {
        using Tensor x = Tensor.From([1.0, 2.0], [2]);
        x.RequiresGrad = true;

        (x * 3).Sum().Backward();
        (x * 3).Sum().Backward();
        double[] accumulated = x.Grad!.ToArray<double>();
        x.ZeroGrad();

        Assert.Equal([6.0, 6.0], accumulated);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void NoGrad_StopsRecording_AndRestoresThePreviousMode()
    {
        using Tensor x = Tensor.Ones([2]);
        x.RequiresGrad = true;

        using (LibTorch.NoGrad())
        {
            using (LibTorch.NoGrad()) Assert.False((x * 2).RequiresGrad);
            Assert.False((x * 2).RequiresGrad);
        }

        Assert.True((x * 2).RequiresGrad);
        Assert.False((x * 2).Detach().RequiresGrad);
    }
}
