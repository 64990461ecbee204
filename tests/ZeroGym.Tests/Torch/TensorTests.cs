using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

public class TensorTests
{
    [Fact]
    public void From_ThenToArray_RoundTripsEveryElementType()
    {
        long[] shape = [2, 2];
        using (Tensor t = Tensor.From([1.5f, -2f, 3.25f, 0f], shape))
            Assert.Equal([1.5f, -2f, 3.25f, 0f], t.ToArray<float>());
        using (Tensor t = Tensor.From([1.5, -2e300, double.NaN, double.NegativeInfinity], shape))
            Assert.Equal([1.5, -2e300, double.NaN, double.NegativeInfinity], t.ToArray<double>());
        using (Tensor t = Tensor.From([long.MinValue, -1L, 0L, long.MaxValue], shape))
            Assert.Equal([long.MinValue, -1L, 0L, long.MaxValue], t.ToArray<long>());
        using (Tensor t = Tensor.From([int.MinValue, -1, 0, int.MaxValue], shape))
            Assert.Equal([int.MinValue, -1, 0, int.MaxValue], t.ToArray<int>());
        using (Tensor t = Tensor.From(new byte[] { 0, 1, 128, 255 }, shape))
            Assert.Equal(new byte[] { 0, 1, 128, 255 }, t.ToArray<byte>());
        using (Tensor t = Tensor.From([true, false, false, true], shape))
            Assert.Equal([true, false, false, true], t.ToArray<bool>());
    }

    [Fact]
    public void Facts_DescribeTheTensor()
    {
        using Tensor t = Tensor.Zeros([2, 3, 4], ScalarType.Float64);

        Assert.Equal([2L, 3L, 4L], t.Shape);
        Assert.Equal(3, t.Dim);
        Assert.Equal(24, t.NumElements);
        Assert.Equal(ScalarType.Float64, t.Type);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.False(t.RequiresGrad);
        Assert.Null(t.Grad);
        Assert.Equal("Tensor(Float64, [2, 3, 4], cpu)", t.ToString());
    }

    [Fact]
    public void From_WithWrongElementCount_ThrowsNamingBothCounts()
    {
        var error = Assert.Throws<ArgumentException>(() => Tensor.From([1f, 2f, 3f], [2, 2]));

        Assert.Contains("expected 4 elements for shape [2, 2], found 3", error.Message);
    }

    [Fact]
    public void ToArray_OfAnotherElementType_ThrowsNamingBoth()
    {
        using Tensor t = Tensor.Zeros([3]);

        var error = Assert.Throws<InvalidOperationException>(() => t.ToArray<double>());

        Assert.Contains("Float32", error.Message);
        Assert.Contains("Double", error.Message);
    }

    [Fact]
    public void CopyTo_FillsTheStartOfALargerSpan()
    {
        using Tensor t = Tensor.Arange(3);
        var destination = new long[5];

        t.CopyTo<long>(destination);

        Assert.Equal([0L, 1L, 2L, 0L, 0L], destination);
        Assert.Throws<ArgumentException>(() => t.CopyTo(new long[2].AsSpan()));
    }

    [Fact]
    public void Creation_FillsAsAsked()
    {
        using Tensor ones = Tensor.Ones([2], ScalarType.Int32);
        using Tensor full = Tensor.Full([3], 2.5, ScalarType.Float64);
        using Tensor range = Tensor.Arange(4, ScalarType.Float32);

        Assert.Equal([1, 1], ones.ToArray<int>());
        Assert.Equal([2.5, 2.5, 2.5], full.ToArray<double>());
        Assert.Equal([0f, 1f, 2f, 3f], range.ToArray<float>());
    }

    [Fact]
    public void Arithmetic_WithTensorsAndNumbersOnEitherSide_IsElementwise()
    {
        using Tensor a = Tensor.From([1.0, 2.0, 4.0], [3]);
        using Tensor b = Tensor.From([0.5, -1.0, 2.0], [3]);

        Assert.Equal([1.5, 1.0, 6.0], (a + b).ToArray<double>());
        Assert.Equal([0.5, 3.0, 2.0], (a - b).ToArray<double>());
        Assert.Equal([0.5, -2.0, 8.0], (a * b).ToArray<double>());
        Assert.Equal([2.0, -2.0, 2.0], (a / b).ToArray<double>());
        Assert.Equal([11.0, 12.0, 14.0], (a + 10).ToArray<double>());
        Assert.Equal([11.0, 12.0, 14.0], (10 + a).ToArray<double>());
        Assert.Equal([0.0, 1.0, 3.0], (a - 1).ToArray<double>());
        Assert.Equal([0.0, -1.0, -3.0], (1 - a).ToArray<double>());
        Assert.Equal([3.0, 6.0, 12.0], (3 * a).ToArray<double>());
        Assert.Equal([0.5, 1.0, 2.0], (a / 2).ToArray<double>());
        Assert.Equal([8.0, 4.0, 2.0], (8 / a).ToArray<double>());
        Assert.Equal([-1.0, -2.0, -4.0], (-a).ToArray<double>());
        Assert.Equal([1.0, 4.0, 16.0], a.Pow(2).ToArray<double>());
        Assert.Equal([1.0, Math.Sqrt(2), 2.0], a.Sqrt().ToArray<double>());
        Assert.Equal([Math.E, Math.Exp(2), Math.Exp(4)], a.Exp().ToArray<double>());
        Assert.Equal([0.0, Math.Log(2), Math.Log(4)], a.Log().ToArray<double>());
        Assert.Equal([0.5, 1.0, 2.0], b.Abs().ToArray<double>());
        Assert.Equal([1.0, 2.0, 3.0], a.Clamp(0, 3).ToArray<double>());
        Assert.Equal([0.5, -1.0, 2.0], a.Minimum(b).ToArray<double>());
        Assert.Equal([1.0, 2.0, 4.0], a.Maximum(b).ToArray<double>());
    }

    [Fact]
    public void IntegerTensor_WithWholeNumber_StaysInteger_AndWithFractionBecomesFloat()
    {
        using Tensor indices = Tensor.From([1L, 2L], [2]);

        using Tensor shifted = indices + 3;
        using Tensor scaled = indices * 0.5;
        using Tensor divided = indices / 2;

        Assert.Equal([4L, 5L], shifted.ToArray<long>());
        Assert.Equal(ScalarType.Float32, scaled.Type);
        Assert.Equal([0.5f, 1f], scaled.ToArray<float>());
        Assert.Equal([0.5f, 1f], divided.ToArray<float>());
    }

    [Fact]
    public void MatMul_MultipliesMatrices()
    {
        using Tensor a = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        using Tensor b = Tensor.From([1f, 0f, 0f, 1f, 1f, 1f], [3, 2]);

        using Tensor product = a.MatMul(b);

        Assert.Equal([2L, 2L], product.Shape);
        Assert.Equal([4f, 5f, 10f, 11f], product.ToArray<float>());
    }

    [Fact]
    public void Reductions_SumMeanStdMaxAndArgmax()
    {
        using Tensor t = Tensor.From([1.0, 5.0, 3.0, 4.0, 2.0, 6.0], [2, 3]);

        Assert.Equal(21.0, t.Sum().ItemDouble());
        Assert.Equal([5.0, 7.0, 9.0], t.Sum(0).ToArray<double>());
        Assert.Equal(3.5, t.Mean().ItemDouble());
        using (Tensor rowMeans = t.Mean(1, keepDim: true))
        {
            Assert.Equal([2L, 1L], rowMeans.Shape);
            Assert.Equal([3.0, 4.0], rowMeans.ToArray<double>());
        }

        // Variance of 1..6 is 17.5/6 (population) and 17.5/5 (sample).
        Assert.Equal(Math.Sqrt(17.5 / 5), t.Std().ItemDouble(), 1e-12);
        Assert.Equal(Math.Sqrt(17.5 / 6), t.Std(unbiased: false).ItemDouble(), 1e-12);
        var (values, indices) = t.Max(1);
        Assert.Equal([5.0, 6.0], values.ToArray<double>());
        Assert.Equal([1L, 2L], indices.ToArray<long>());
        Assert.Equal([1L, 2L], t.Argmax(1).ToArray<long>());
        Assert.Equal([2L, 1L], t.Argmax(1, keepDim: true).Shape);
    }

    [Fact]
    public void Gather_PicksOneEntryPerRow()
    {
        using Tensor q = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [3, 2]);
        using Tensor actions = Tensor.From([1L, 0L, 1L], [3, 1]);

        using Tensor taken = q.Gather(1, actions);

        Assert.Equal([2f, 3f, 6f], taken.ToArray<float>());
    }

    [Fact]
    public void Comparisons_ReturnBoolTensors()
    {
        using Tensor a = Tensor.From([1f, 2f, 3f], [3]);
        using Tensor b = Tensor.From([1f, 0f, 3f], [3]);

        Assert.Equal([true, false, true], a.Eq(b).ToArray<bool>());
        Assert.Equal([true, false, false], a.Lt(2).ToArray<bool>());
        Assert.Equal([false, false, true], a.Gt(2.5).ToArray<bool>());
    }

    [Fact]
    public void Activations_MatchTheirFormulas()
    {
        using Tensor x = Tensor.From([-1.0, 0.5, 2.0], [3]);

        Assert.Equal([0.0, 0.5, 2.0], x.Relu().ToArray<double>());
        Approx.Equal([Math.Tanh(-1), Math.Tanh(0.5), Math.Tanh(2)], x.Tanh().ToArray<double>(), 1e-15);
        Approx.Equal([1 / (1 + Math.E), 1 / (1 + Math.Exp(-0.5)), 1 / (1 + Math.Exp(-2))],
            x.Sigmoid().ToArray<double>(), 1e-15);
        double total = Math.Exp(-1) + Math.Exp(0.5) + Math.Exp(2);
        Approx.Equal([Math.Exp(-1) / total, Math.Exp(0.5) / total, Math.Exp(2) / total],
            x.Softmax(0).ToArray<double>(), 1e-15);
        Approx.Equal([-1 - Math.Log(total), 0.5 - Math.Log(total), 2 - Math.Log(total)],
            x.LogSoftmax(0).ToArray<double>(), 1e-14);
    }

    [Fact]
    public void ShapeOperations_RearrangeTheElements()
    {
        using Tensor t = Tensor.Arange(6);

        using Tensor matrix = t.Reshape(2, 3);
        Assert.Equal([2L, 3L], matrix.Shape);
        Assert.Equal([3L, 2L], t.View(-1, 2).Shape);
        using Tensor transposed = matrix.Transpose(0, 1);
        Assert.Equal([0L, 3L, 1L, 4L, 2L, 5L], transposed.Contiguous().ToArray<long>());
        Assert.Equal([0L, 3L, 1L, 4L, 2L, 5L], transposed.ToArray<long>());
        Assert.Throws<TorchException>(() => transposed.View(6));
        Assert.Equal([6L], transposed.Reshape(6).Shape);
        Assert.Equal([2L, 1L, 3L], matrix.Unsqueeze(1).Shape);
        Assert.Equal([2L, 3L], matrix.Unsqueeze(1).Squeeze(1).Shape);
        Assert.Equal([6L], matrix.Flatten().Shape);
        Assert.Equal([2L, 6L], Tensor.Zeros([2, 3, 2]).Flatten(1).Shape);
        Assert.Equal([1L, 2L, 4L, 5L], matrix.Narrow(1, 1, 2).ToArray<long>());
        using Tensor rows = matrix.Index(Tensor.From([1L, 1L, 0L], [3]));
        Assert.Equal([3L, 4L, 5L, 3L, 4L, 5L, 0L, 1L, 2L], rows.ToArray<long>());
    }

    [Fact]
    public void CatAndStack_JoinTensors()
    {
        using Tensor a = Tensor.From([1f, 2f], [1, 2]);
        using Tensor b = Tensor.From([3f, 4f], [1, 2]);

        using Tensor joined = Tensor.Cat([a, b]);
        using Tensor side = Tensor.Cat([a, b], dim: 1);
        using Tensor stacked = Tensor.Stack([a, b], dim: 1);

        Assert.Equal([2L, 2L], joined.Shape);
        Assert.Equal([1f, 2f, 3f, 4f], joined.ToArray<float>());
        Assert.Equal([1L, 4L], side.Shape);
        Assert.Equal([1L, 2L, 2L], stacked.Shape);
        Assert.Equal([1f, 2f, 3f, 4f], stacked.ToArray<float>());
    }

    [Fact]
    public void Conversions_ChangeTypeAndCopyOrShareAsDocumented()
    {
        using Tensor t = Tensor.From([1.7f, -2.2f], [2]);

        Assert.Equal([1L, -2L], t.To(ScalarType.Int64).ToArray<long>());
        Assert.Equal(ScalarType.Float64, t.To(ScalarType.Float64).Type);
        Assert.Equal(Device.Cpu, t.To(Device.Cpu).Device);
        using Tensor clone = t.Clone();
        using Tensor detached = t.Detach();
        using (LibTorch.NoGrad()) t.CopyFrom(Tensor.From([5f, 6f], [2]));

        Assert.Equal([1.7f, -2.2f], clone.ToArray<float>());
        Assert.Equal([5f, 6f], detached.ToArray<float>());
    }

    [Fact]
    public void Items_ReadTheOnlyElement()
    {
        Assert.Equal(2.5f, Tensor.Full([1], 2.5).ItemFloat());
        Assert.Equal(-3.25, Tensor.Full([], -3.25, ScalarType.Float64).ItemDouble());
        Assert.Equal(long.MaxValue, Tensor.From([long.MaxValue], [1]).ItemLong());
        Assert.True(Tensor.From([true], []).ItemBool());
        Assert.False(Tensor.Zeros([1, 1], ScalarType.Bool).ItemBool());
    }

    [Fact]
    public void Multinomial_SamplesOnlyCategoriesWithProbability()
    {
        using Tensor probabilities = Tensor.From([0f, 1f, 0f, 0.5f, 0f, 0.5f], [2, 3]);

        for (int draw = 0; draw < 20; draw++)
        {
            using Tensor samples = probabilities.Multinomial(1);
            long[] picked = samples.ToArray<long>();
            Assert.Equal([2L, 1L], samples.Shape);
            Assert.Equal(1L, picked[0]);
            Assert.Contains(picked[1], new[] { 0L, 2L });
        }
    }

    [Fact]
    public void Losses_MatchTheirDefinitions()
    {
        using Tensor input = Tensor.From([0.0, 2.0, -3.0], [3]);
        using Tensor target = Tensor.From([0.5, 0.0, 0.0], [3]);

        // Differences 0.5, 2, 3: squared 0.25, 4, 9; smooth L1 (beta 1) 0.5·0.25, 2 − 0.5, 3 − 0.5.
        Assert.Equal((0.25 + 4 + 9) / 3, Functional.MseLoss(input, target).ItemDouble(), 1e-15);
        Assert.Equal((0.125 + 1.5 + 2.5) / 3, Functional.SmoothL1Loss(input, target).ItemDouble(), 1e-15);
        // beta 2.5: 0.5·0.25/2.5, 0.5·4/2.5, 3 − 1.25.
        Assert.Equal((0.05 + 0.8 + 1.75) / 3, Functional.SmoothL1Loss(input, target, beta: 2.5).ItemDouble(), 1e-15);
    }

    [Fact]
    public void Conv2d_SlidesTheKernelWithStrideAndPadding()
    {
        // One 3×3 channel 1..9, one 2×2 kernel of ones, bias 10.
        using Tensor input = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], [1, 1, 3, 3]);
        using Tensor weight = Tensor.Ones([1, 1, 2, 2]);
        using Tensor bias = Tensor.Full([1], 10);

        using Tensor valid = Functional.Conv2d(input, weight, bias);
        using Tensor padded = Functional.Conv2d(input, weight, null, stride: 2, padding: 1);

        Assert.Equal([1L, 1L, 2L, 2L], valid.Shape);
        Assert.Equal([22f, 26f, 34f, 38f], valid.ToArray<float>());
        Assert.Equal([1f, 5f, 11f, 28f], padded.ToArray<float>());
    }

    [Fact]
    public void LinearModule_ComputesInputTimesWeightTransposedPlusBias()
    {
        using var layer = new Linear(3, 2);
        float[] w = layer.Weight.ToArray<float>();
        float[] b = layer.Bias!.ToArray<float>();
        float[] x = [1f, -2f, 0.5f];

        using Tensor output = layer.Forward(Tensor.From(x, [1, 3]));

        float[] expected =
        [
            w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + b[0],
            w[3] * x[0] + w[4] * x[1] + w[5] * x[2] + b[1],
        ];
        Approx.Equal(expected, output.ToArray<float>(), 1e-6);
    }
}
