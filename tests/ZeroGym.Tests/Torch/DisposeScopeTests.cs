using System.Runtime.CompilerServices;
using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

[Collection(NativeMemoryCollection.Name)]
public class DisposeScopeTests
{
    [Fact]
    public void Scope_DisposesTheTensorsCreatedInside_ExceptThoseMovedOut()
    {
        long before = SettledLiveTensorCount();
        Tensor kept;
        Tensor dropped;
        using (DisposeScope scope = LibTorch.NewDisposeScope())
        {
            dropped = Tensor.Ones([3]) * 2;
            kept = scope.MoveToOuter(dropped + 1);
            Assert.Equal(before + 3, LibTorch.LiveTensorCount);
        }

        Assert.Equal(before + 1, LibTorch.LiveTensorCount);
        Assert.Throws<ObjectDisposedException>(() => dropped.Sum());
        Assert.Equal([3f, 3f, 3f], kept.ToArray<float>());
        kept.Dispose();
        Assert.Equal(before, LibTorch.LiveTensorCount);
    }

    [Fact]
    public void MoveToOuter_HandsTheTensorToTheEnclosingScope()
    {
        long before = SettledLiveTensorCount();
        using (LibTorch.NewDisposeScope())
        {
            Tensor result;
            using (DisposeScope inner = LibTorch.NewDisposeScope())
            {
                result = inner.MoveToOuter(Tensor.Zeros([2]));
            }

            Assert.Equal([0f, 0f], result.ToArray<float>());
        }

        Assert.Equal(before, LibTorch.LiveTensorCount);
    }

    [Fact]
    public void ModuleParametersAndOptimizerState_OutliveTheScopeTheyWereCreatedIn()
    {
        Linear layer;
        Adam adam;
        using (LibTorch.NewDisposeScope())
        {
            layer = new Linear(2, 2);
            adam = new Adam(layer.Parameters());
        }

        using (layer)
        using (adam)
        {
            using Tensor output = layer.Forward(Tensor.Ones([1, 2]));
            output.Sum().Backward();
            adam.Step();
            Assert.Equal([2L, 2L], adam.NamedState()[0].State.Shape);
        }
    }

    [Fact]
    public void Scope_DisposedOutOfOrder_Throws()
    {
        DisposeScope outer = LibTorch.NewDisposeScope();
        DisposeScope inner = LibTorch.NewDisposeScope();

        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void HundredThousandAllocationsInScopes_KeepNativeMemoryFlat()
    {
        using Tensor weights = Tensor.Randn([64, 64]);
        RunSteps(weights, steps: 1_000); // warm up libtorch's allocator and the JIT
        long tensorsBefore = SettledLiveTensorCount();
        long residentBefore = ResidentBytes();

        // 20,000 steps of 5 operations: 100,000 tensors of 64×64 floats, about 1.6 GB if none were freed.
        RunSteps(weights, steps: 20_000);

        long growth = ResidentBytes() - residentBefore;
        Assert.Equal(tensorsBefore, LibTorch.LiveTensorCount);
        Assert.True(growth < 50 << 20, $"resident memory grew by {growth >> 20} MB");
    }

    [Fact]
    public void ForgottenTensors_AreFreedByTheGarbageCollector()
    {
        long before = SettledLiveTensorCount();

        AllocateAndForget(1_000);
        Assert.Equal(before + 2_000, LibTorch.LiveTensorCount); // each Ones and each sum

        Assert.Equal(before, SettledLiveTensorCount());
    }

    // The count once earlier tests' garbage is finalised, so that finalisers do not change it during a test.
    private static long SettledLiveTensorCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return LibTorch.LiveTensorCount;
    }

    private static void RunSteps(Tensor weights, int steps)
    {
        for (int step = 0; step < steps; step++)
        {
            using DisposeScope scope = LibTorch.NewDisposeScope();
            Tensor hidden = weights.MatMul(weights).Relu();
            Tensor scaled = hidden * 0.5 + 1;
            _ = scaled.Tanh();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AllocateAndForget(int count)
    {
        for (int i = 0; i < count; i++) _ = Tensor.Ones([16]) + i;
    }

    private static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared text lib data dt, in pages.
        string[] fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}
