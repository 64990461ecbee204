using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

[Collection(TorchGeneratorCollection.Name)]
public class ModuleTests
{
    [Fact]
    public void ManualSeed_MakesRandnAndLinearInitialisationReproducible()
    {
        LibTorch.ManualSeed(42);
        float[] noise1 = Tensor.Randn([5]).ToArray<float>();
        using var layer1 = new Linear(4, 3);
        LibTorch.ManualSeed(42);
        float[] noise2 = Tensor.Randn([5]).ToArray<float>();
        using var layer2 = new Linear(4, 3);
        LibTorch.ManualSeed(43);
        float[] noise3 = Tensor.Randn([5]).ToArray<float>();

        Assert.Equal(noise1, noise2);
        Assert.NotEqual(noise1, noise3);
        Assert.Equal(layer1.Weight.ToArray<float>(), layer2.Weight.ToArray<float>());
        Assert.Equal(layer1.Bias!.ToArray<float>(), layer2.Bias!.ToArray<float>());
    }

    [Theory]
    [InlineData(64, 4, 1.4142135623730951)]   // more rows than columns: orthonormal columns
    [InlineData(2, 64, 0.01)]                 // fewer rows (an actor's last layer): orthonormal rows
    public void InitOrthogonal_GivesGainTimesOrthonormalRowsOrColumns(int rows, int columns, double gain)
    {
        using var layer = new Linear(columns, rows);
        float[] before = layer.Weight.ToArray<float>();

        Init.Orthogonal(layer.Weight, gain);

        // W Wᵀ = gain² I for rows ≤ columns, Wᵀ W = gain² I otherwise.
        using var weight = layer.Weight.Detach().To(ScalarType.Float64);
        using var transposed = weight.Transpose(0, 1);
        using var gram = rows <= columns ? weight.MatMul(transposed) : transposed.MatMul(weight);
        int size = Math.Min(rows, columns);
        double[] identity = [.. Enumerable.Range(0, size * size).Select(k => k / size == k % size ? gain * gain : 0.0)];
        Approx.Equal(identity, gram.ToArray<double>(), 1e-6 * gain * gain);
        Assert.NotEqual(before, layer.Weight.ToArray<float>());
        Assert.True(layer.Weight.RequiresGrad, "initialising in place keeps the weight a parameter");
    }

    [Fact]
    public void InitConstant_SetsEveryElement_AndOrthogonalIsReproducibleFromTheSeed()
    {
        LibTorch.ManualSeed(5);
        using var first = new Linear(3, 5);
        Init.Orthogonal(first.Weight);
        LibTorch.ManualSeed(5);
        using var second = new Linear(3, 5);
        Init.Orthogonal(second.Weight);

        Init.Constant(first.Bias!, 0.25);

        Assert.Equal(first.Weight.ToArray<float>(), second.Weight.ToArray<float>());
        Assert.All(first.Bias!.ToArray<float>(), value => Assert.Equal(0.25f, value));
    }

    [Fact]
    public void Linear_InitialisesWithinPyTorchsDefaultBound()
    {
        using var layer = new Linear(16, 200);

        float bound = 1 / MathF.Sqrt(16);
        float[] weights = layer.Weight.ToArray<float>();
        Assert.All(weights, w => Assert.InRange(w, -bound, bound));
        Assert.All(layer.Bias!.ToArray<float>(), b => Assert.InRange(b, -bound, bound));
        // 3,200 uniform draws: the extremes come close to the bound, so the range is not a smaller one.
        Assert.True(weights.Max() > 0.9f * bound && weights.Min() < -0.9f * bound);
    }

    [Fact]
    public void NamedParameters_MatchPyTorchsSequentialStateDictNames()
    {
        using var network = new Sequential(
            new Conv2d(4, 8, kernelSize: 3, stride: 2), new ReLU(), new Flatten(),
            new Linear(72, 16), new Tanh(), new Linear(16, 2, bias: false));

        var named = network.NamedParameters();

        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "5.weight"], named.Select(p => p.Name));
        Assert.Equal([8L, 4L, 3L, 3L], named[0].Parameter.Shape);
        Assert.Equal([16L, 72L], named[2].Parameter.Shape);
        Assert.All(network.Parameters(), p => Assert.True(p.RequiresGrad));
        using Tensor output = network.Forward(Tensor.Zeros([5, 4, 8, 8]));
        Assert.Equal([5L, 2L], output.Shape);
    }

    [Fact]
    public void ToScalarType_ReplacesParametersWithConvertedLeaves()
    {
        using var layer = new Linear(2, 2);
        float[] before = layer.Weight.ToArray<float>();

        layer.To(ScalarType.Float64);

        Assert.Equal(ScalarType.Float64, layer.Weight.Type);
        Assert.True(layer.Weight.RequiresGrad);
        Assert.Equal(before.Select(w => (double)w), layer.Weight.ToArray<double>());
        layer.Forward(Tensor.Ones([1, 2], ScalarType.Float64)).Sum().Backward();
        Assert.NotNull(layer.Weight.Grad);
    }

    [Fact]
    public void CopyParametersFrom_MakesATargetNetworkEqual_WithoutRecordingGradients()
    {
        using var online = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
        using var target = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));

        target.CopyParametersFrom(online);

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(online.Parameters()[i].ToArray<float>(), target.Parameters()[i].ToArray<float>());
        }

        Assert.True(target.Parameters()[0].RequiresGrad);
        using var other = new Sequential(new Linear(3, 5), new ReLU(), new Linear(5, 1));
        var error = Assert.Throws<ArgumentException>(() => target.CopyParametersFrom(other));
        Assert.Contains("expected parameter 0.weight of shape [4, 3], found [5, 3]", error.Message);
    }

    [Fact]
    public void SoftUpdateFrom_MovesEachParameterTauOfTheWayToTheOther()
    {
        using var online = new Linear(2, 1);
        using var target = new Linear(2, 1);
        float[] theta = target.Weight.ToArray<float>();
        float[] thetaOnline = online.Weight.ToArray<float>();

        target.SoftUpdateFrom(online, tau: 0.25);

        float[] expected = [0.25f * thetaOnline[0] + 0.75f * theta[0], 0.25f * thetaOnline[1] + 0.75f * theta[1]];
        Approx.Equal(expected, target.Weight.ToArray<float>(), 1e-6);
    }

    [Fact]
    public void ZeroGrad_DropsTheGradientsOfEveryParameter()
    {
        using var network = new Sequential(new Linear(2, 2), new Tanh(), new Linear(2, 1));
        network.Forward(Tensor.Ones([1, 2])).Sum().Backward();
        Assert.All(network.Parameters(), p => Assert.NotNull(p.Grad));

        network.ZeroGrad();

        Assert.All(network.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Runtime_ReportsVersionAndThreads()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", LibTorch.Version);
        int threads = LibTorch.Threads;
        Assert.True(threads >= 1);
        LibTorch.Threads = 1;
        Assert.Equal(1, LibTorch.Threads);
        LibTorch.Threads = threads;
    }
}
