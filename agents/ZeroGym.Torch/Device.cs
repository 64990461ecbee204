using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

/// <summary>Where a tensor lives: the CPU or one CUDA GPU.</summary>
/// <param name="IsCuda">True for a CUDA GPU, false for the CPU.</param>
/// <param name="Index">The GPU's index (0 for the CPU).</param>
public readonly record struct Device(bool IsCuda, int Index = 0)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu => default;

    /// <summary>CUDA GPU number <paramref name="index"/>; availability is checked when a tensor is made there.</summary>
    public static Device Cuda(int index = 0) => new(true, index);

    /// <summary>
    /// Reads "cpu", "cuda" or "cuda:N" (as PyTorch spells devices). A CUDA device that this machine or the linked
    /// libtorch cannot provide is a <see cref="TorchException"/> saying why, so a --device option fails up front.
    /// </summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "cpu") return Cpu;
        if (text != "cuda" && !text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            throw new FormatException($"expected a device \"cpu\", \"cuda\" or \"cuda:N\", found \"{text}\"");
        }

        int index = 0;
        if (text.Length > "cuda".Length
            && (!int.TryParse(text.AsSpan("cuda:".Length), out index) || index < 0))
        {
            throw new FormatException($"expected a GPU index after \"cuda:\", found \"{text}\"");
        }

        if (NativeMethods.CudaIsCompiled() == 0)
        {
            throw new TorchException(
                $"device {text}: CUDA is not available: ZeroGym.Torch was built against a libtorch without CUDA "
                + "(rerun scripts/setup with LIBTORCH_DIR pointing at a CUDA libtorch, or use the cpu device)");
        }

        int count = NativeMethods.CudaIsAvailable() == 0 ? 0 : NativeMethods.CudaDeviceCount();
        if (count == 0)
        {
            throw new TorchException(
                $"device {text}: CUDA is not available: libtorch has CUDA support but found no usable GPU "
                + "(check the NVIDIA driver with nvidia-smi, or use the cpu device)");
        }

        if (index >= count)
        {
            throw new TorchException($"device {text}: no such GPU, this machine has {count} (cuda:0 to cuda:{count - 1})");
        }

        return Cuda(index);
    }

    /// <summary>PyTorch's spelling: "cpu" or "cuda:N".</summary>
    public override string ToString() => IsCuda ? $"cuda:{Index}" : "cpu";

    internal DeviceKind Kind => IsCuda ? DeviceKind.Cuda : DeviceKind.Cpu;
}
