using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

/// <summary>Numerical gradients by central differences, to check autograd against.</summary>
internal static class FiniteDifferences
{
    private const double Step = 1e-6;

    /// <summary>
    /// d loss / d leaf for every element of the float64 <paramref name="leaf"/>, from (L(x + h) − L(x − h)) / 2h;
    /// the leaf is restored afterwards.
    /// </summary>
    public static double[] Gradient(Tensor leaf, Func<Tensor> loss)
    {
        long[] shape = leaf.Shape;
        double[] original = leaf.ToArray<double>();
        double[] gradient = new double[original.Length];
        for (int i = 0; i < original.Length; i++)
        {
            double[] shifted = (double[])original.Clone();
            shifted[i] = original[i] + Step;
            double above = Evaluate(leaf, shifted, shape, loss);
            shifted[i] = original[i] - Step;
            double below = Evaluate(leaf, shifted, shape, loss);
            gradient[i] = (above - below) / (2 * Step);
        }

        Evaluate(leaf, original, shape, loss);
        return gradient;
    }

    /// <summary>The gradient autograd accumulates in <paramref name="leaf"/> for one backward pass of the loss.</summary>
    public static double[] Autograd(Tensor leaf, Func<Tensor> loss)
    {
        leaf.ZeroGrad();
        using (Tensor value = loss()) value.Backward();
        using Tensor grad = leaf.Grad ?? throw new InvalidOperationException("the loss does not depend on the leaf");
        return grad.ToArray<double>();
    }

    private static double Evaluate(Tensor leaf, double[] values, long[] shape, Func<Tensor> loss)
    {
        using (LibTorch.NoGrad())
        {
            using (Tensor replacement = Tensor.From(values, shape)) leaf.CopyFrom(replacement);
            using Tensor value = loss();
            return value.ItemDouble();
        }
    }
}
