using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

/// <summary>
/// A matmul must give the same bits whatever the thread ran before it: a resumed training run replays its
/// computations in a fresh process and has to match the original to the last bit.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class ThreadPoolTests
{
    [Fact]
    public void Forward_GivesTheSameBits_BeforeAndAfterTheThreadsFirstParallelKernel()
    {
        float[]? before = null, after = null;
        // A new thread starts with OpenMP's default pool, as a new process does.
        var thread = new Thread(() =>
        {
            LibTorch.ManualSeed(3);
            using var network = new Sequential(new Linear(4, 128), new ReLU(), new Linear(128, 128), new ReLU(), new Linear(128, 2));
            using var input = Tensor.Randn([64, 4]);
            before = Forward(network, input);
            // Element-wise kernels over large tensors start libtorch's parallel section on this thread.
            using (var large = Tensor.Ones([1 << 20]))
            using (var doubled = large * 2.0)
            {
            }

            after = Forward(network, input);
        });
        thread.Start();
        thread.Join();

        Assert.Equal(before, after);
    }

    private static float[] Forward(Module network, Tensor input)
    {
        using var noGrad = LibTorch.NoGrad();
        using var output = network.Forward(input);
        return output.ToArray<float>();
    }
}
