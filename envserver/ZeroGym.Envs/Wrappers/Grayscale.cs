using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ZeroGym.Envs.Core;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Converts uint8 RGB images (H, W, 3) to luma (H, W), or (H, W, 1) with <c>keep_dim</c>, with ITU-R BT.601's
/// weights 0.299 R + 0.587 G + 0.114 B rounded to the nearest integer, in the 14-bit fixed point OpenCV's
/// <c>cvtColor(RGB2GRAY)</c> uses (the conversion gym's <c>GrayScaleObservation</c> made); torchvision's
/// <c>Grayscale</c> in the Mario tutorial uses 0.2989/0.587/0.114 on floats.
/// </summary>
/// <remarks>Gymnasium 1.x's <c>GrayscaleObservation</c> uses other weights (0.2125, 0.7154, 0.0721) and truncates;
/// ours follow the Mario tutorial and gym. The weights are non-negative, so the new bounds are the bounds'
/// luma, exactly.</remarks>
public sealed class Grayscale : ObservationWrapper
{
    // Weights × 2^14, summing to 2^14 so white stays 255.
    private const int RedWeight = 4899, GreenWeight = 9617, BlueWeight = 1868, Shift = 14, Half = 1 << (Shift - 1);

    public Grayscale(Env inner, bool keepDim = false)
        : base(inner, OutputSpaceFor(inner, keepDim))
    {
    }

    protected override void Transform(NDArray observation, NDArray output) => Convert(observation.Data, output.Data);

    /// <summary>The luma of each RGB pixel of <paramref name="rgb"/> (3 bytes a pixel) into <paramref name="gray"/>.</summary>
    public static void Convert(ReadOnlySpan<byte> rgb, Span<byte> gray)
    {
        if (rgb.Length != 3 * gray.Length)
        {
            throw new ArgumentException($"grayscale needs 3 bytes per output pixel; got {rgb.Length} bytes for {gray.Length} pixels");
        }

        // Lengths checked above, so the hot loop reads through refs without a bounds check per byte.
        ref byte source = ref MemoryMarshal.GetReference(rgb);
        ref byte destination = ref MemoryMarshal.GetReference(gray);
        for (int pixel = 0; pixel < gray.Length; pixel++)
        {
            ref byte red = ref Unsafe.Add(ref source, 3 * pixel);
            Unsafe.Add(ref destination, pixel) = (byte)((red * RedWeight + Unsafe.Add(ref red, 1) * GreenWeight + Unsafe.Add(ref red, 2) * BlueWeight + Half) >> Shift);
        }
    }

    private static Box OutputSpaceFor(Env inner, bool keepDim)
    {
        const string needs = "a uint8 Box of shape (H, W, 3) (an RGB image)";
        var box = RequireBox(inner, "grayscale", needs);
        if (box.DType != DType.UInt8 || box.Shape is not [_, _, 3])
        {
            throw new ArgumentException($"grayscale needs {needs}; the observation space is {box}");
        }

        int[] shape = keepDim ? [box.Shape[0], box.Shape[1], 1] : [box.Shape[0], box.Shape[1]];
        var low = NDArray.Zeros(DType.UInt8, shape);
        var high = NDArray.Zeros(DType.UInt8, (int[])shape.Clone());
        Convert(box.Low.Data, low.Data);
        Convert(box.High.Data, high.Data);
        return new Box(low, high);
    }
}
