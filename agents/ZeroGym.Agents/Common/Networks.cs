using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents.Common;

/// <summary>Network shapes and action sampling the algorithms share.</summary>
public static class Networks
{
    /// <summary>
    /// A multilayer perceptron: Linear layers of <paramref name="hiddenSizes"/> with ReLU between them, then a Linear
    /// layer to <paramref name="outputs"/>. Its parameters are named as PyTorch's nn.Sequential names them ("0.weight",
    /// "2.weight", ...), which <see cref="ModelFiles.InputOutputSizes"/> reads back. An <paramref name="outputActivation"/>
    /// (a deterministic actor's Tanh) comes last.
    /// </summary>
    public static Sequential Mlp(int inputs, IReadOnlyList<int> hiddenSizes, int outputs, Device device, Module? outputActivation = null)
    {
        var layers = new List<Module>();
        foreach (int width in hiddenSizes)
        {
            layers.Add(new Linear(inputs, width, device: device));
            layers.Add(new ReLU());
            inputs = width;
        }

        layers.Add(new Linear(inputs, outputs, device: device));
        if (outputActivation is not null) layers.Add(outputActivation);
        return new Sequential([.. layers]);
    }

    /// <summary>One convolution of <see cref="NatureCnn"/>: output channels, square kernel side and stride, no padding.</summary>
    public readonly record struct Convolution(int Channels, int Kernel, int Stride);

    /// <summary>The convolutions of <see cref="NatureCnn"/>, input first (Mnih et al. 2015; seed 002's MarioNet).</summary>
    public static IReadOnlyList<Convolution> NatureCnnConvolutions { get; } = [new(32, 8, 4), new(64, 4, 2), new(64, 3, 1)];

    /// <summary>The width of <see cref="NatureCnn"/>'s Linear layer between the convolutions and the outputs.</summary>
    public const int NatureCnnHiddenSize = 512;

    /// <summary>
    /// The convolutional Q-network of Mnih et al. 2015 (seed 002's MarioNet): the <see cref="NatureCnnConvolutions"/>
    /// (32@8×8 stride 4, 64@4×4 stride 2, 64@3×3 stride 1), a Linear layer of <see cref="NatureCnnHiddenSize"/>, then
    /// one output per action, ReLU between them. Its input is [N, <paramref name="channels"/>, <paramref name="height"/>,
    /// <paramref name="width"/>] float32 in [0, 1].
    /// </summary>
    public static Sequential NatureCnn(int channels, int height, int width, int outputs, Device device)
    {
        // The smallest side every convolution fits: worked backwards from one output pixel.
        int smallestSide = NatureCnnConvolutions.Reverse().Aggregate(1, (side, conv) => (side - 1) * conv.Stride + conv.Kernel);
        if (height < smallestSide || width < smallestSide)
        {
            throw new AgentException($"the Nature CNN needs frames of at least {smallestSide}x{smallestSide}; got {height}x{width}");
        }

        var layers = new List<Module>();
        int inputs = channels;
        foreach (var conv in NatureCnnConvolutions)
        {
            layers.Add(new Conv2d(inputs, conv.Channels, kernelSize: conv.Kernel, stride: conv.Stride, device: device));
            layers.Add(new ReLU());
            inputs = conv.Channels;
            // Each convolution without padding leaves (size - kernel) / stride + 1.
            height = (height - conv.Kernel) / conv.Stride + 1;
            width = (width - conv.Kernel) / conv.Stride + 1;
        }

        layers.Add(new Flatten());
        layers.Add(new Linear(inputs * height * width, NatureCnnHiddenSize, device: device));
        layers.Add(new ReLU());
        layers.Add(new Linear(NatureCnnHiddenSize, outputs, device: device));
        return new Sequential([.. layers]);
    }

    /// <summary>
    /// An observation as network input: float32 values, converted from float64 where the env observes in float64
    /// (HalfCheetah). Writes into <paramref name="destination"/>, which must hold exactly the observation's values.
    /// </summary>
    public static void ToFloat32(NDArray observation, Span<float> destination)
    {
        if (observation.Length != destination.Length)
        {
            throw new AgentException($"expected an observation of {destination.Length} values; the env sent {observation.Length}");
        }

        if (observation.DType == DType.Float32)
        {
            observation.AsSpan<float>().CopyTo(destination);
            return;
        }

        for (int i = 0; i < destination.Length; i++) destination[i] = (float)observation.GetDouble(i);
    }

    /// <summary>An index drawn with the given probabilities (which sum to 1) from <paramref name="random"/>.</summary>
    public static long SampleCategorical(ReadOnlySpan<float> probabilities, SeededRandom random)
    {
        double draw = random.NextDouble(), cumulative = 0;
        for (int index = 0; index < probabilities.Length - 1; index++)
        {
            cumulative += probabilities[index];
            if (draw < cumulative) return index;
        }

        return probabilities.Length - 1;
    }
}
