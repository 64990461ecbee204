using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

public class ErrorTests
{
    [Fact]
    public void MatMul_WithMismatchedShapes_ThrowsLibtorchsMessageWithoutBacktrace()
    {
        using Tensor a = Tensor.Zeros([2, 3]);
        using Tensor b = Tensor.Zeros([4, 5]);

        var error = Assert.Throws<TorchException>(() => a.MatMul(b));

        Assert.Equal("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", error.Message);
    }

    [Fact]
    public void DeviceParse_Cuda_WithoutCuda_SaysCudaIsNotAvailable()
    {
        if (LibTorch.CudaIsAvailable)
        {
            Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
            return;
        }

        var error = Assert.Throws<TorchException>(() => Device.Parse("cuda"));

        Assert.Contains("CUDA is not available", error.Message);
        Assert.Contains("CUDA is not available", Assert.Throws<TorchException>(() => Device.Parse("cuda:1")).Message);
    }

    [Theory]
    [InlineData("cpu", false, 0)]
    [InlineData("cuda:0", true, 0)]
    public void DeviceToString_SpellsItAsPyTorch(string text, bool isCuda, int index)
    {
        Assert.Equal(text, new Device(isCuda, index).ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("CPU")]
    public void DeviceParse_OfAnUnknownSpelling_ThrowsFormatException(string text)
    {
        var error = Assert.Throws<FormatException>(() => Device.Parse(text));

        Assert.Contains(text, error.Message);
    }

    [Fact]
    public void DeviceParse_Cpu_IsTheCpu()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.False(Device.Cpu.IsCuda);
    }

    [Fact]
    public void DisposedTensor_ThrowsObjectDisposedException_AsReceiverAndAsArgument()
    {
        using Tensor alive = Tensor.Ones([2]);
        Tensor disposed = Tensor.Ones([2]);
        disposed.Dispose();

        Assert.Throws<ObjectDisposedException>(() => disposed.Shape);
        Assert.Throws<ObjectDisposedException>(() => disposed.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => disposed.Relu());
        Assert.Throws<ObjectDisposedException>(() => alive + disposed);
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([alive, disposed]));
        Assert.Throws<ObjectDisposedException>(() => GradClip.ClipGradNorm([alive, disposed], 1));
        Assert.Equal("Tensor(disposed)", disposed.ToString());
        disposed.Dispose();
    }

    [Fact]
    public void Backward_OfANonScalar_ThrowsLibtorchsMessage()
    {
        using Tensor x = Tensor.Ones([3]);
        x.RequiresGrad = true;

        var error = Assert.Throws<TorchException>(() => (x * 2).Backward());

        Assert.Equal("grad can be implicitly created only for scalar outputs", error.Message);
    }

    [Fact]
    public void FailuresOfOtherKinds_AllBecomeTorchExceptions()
    {
        using Tensor pair = Tensor.Ones([2]);
        using Tensor integers = Tensor.Ones([2], ScalarType.Int64);

        Assert.Throws<TorchException>(() => pair.ItemDouble());
        Assert.Throws<TorchException>(() => integers.RequiresGrad = true);
        Assert.Throws<TorchException>(() => pair.Reshape(3));
        Assert.Throws<TorchException>(() => pair.Narrow(0, 1, 5));
        Assert.Throws<TorchException>(() => Tensor.Zeros([-1]));
        Assert.Throws<TorchException>(() => LibTorch.Threads = 0);
        using (Tensor afterwards = pair + 1) Assert.Equal([2f, 2f], afterwards.ToArray<float>());
    }
}
