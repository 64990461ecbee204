using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

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
    private const short RedWeight = 4899, GreenWeight = 9617, BlueWeight = 1868;
    private const int Shift = 14, Half = 1 << (Shift - 1);
    private const int VectorPixels = 16;

    // Four RGB pixels (12 bytes) spread to 16-bit lanes: (R, G) pairs, and (B, 0) pairs, for pmaddwd's
    // multiply-and-add-adjacent against (red, green) and (blue, 0) weights.
    private static readonly Vector128<byte> RedGreenLanes = Vector128.Create((byte)0, 0x80, 1, 0x80, 3, 0x80, 4, 0x80, 6, 0x80, 7, 0x80, 9, 0x80, 10, 0x80);
    private static readonly Vector128<byte> BlueLanes = Vector128.Create((byte)2, 0x80, 0x80, 0x80, 5, 0x80, 0x80, 0x80, 8, 0x80, 0x80, 0x80, 11, 0x80, 0x80, 0x80);
    private static readonly Vector128<short> RedGreenWeights = Vector128.Create(RedWeight, GreenWeight, RedWeight, GreenWeight, RedWeight, GreenWeight, RedWeight, GreenWeight);
    private static readonly Vector128<short> BlueWeights = Vector128.Create(BlueWeight, 0, BlueWeight, 0, BlueWeight, 0, BlueWeight, 0);

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
        int pixel = 0;
        if (Ssse3.IsSupported)
        {
            // The same integer arithmetic, 16 pixels at a time; each 16-byte load uses 12, so the loop stops while
            // the last load of a block still ends inside the image.
            for (; (pixel + VectorPixels) * 3 + 4 <= rgb.Length; pixel += VectorPixels)
            {
                ref byte block = ref Unsafe.Add(ref source, 3 * pixel);
                var first = Sse2.PackSignedSaturate(Luma4(ref block), Luma4(ref Unsafe.Add(ref block, 12)));
                var second = Sse2.PackSignedSaturate(Luma4(ref Unsafe.Add(ref block, 24)), Luma4(ref Unsafe.Add(ref block, 36)));
                Sse2.PackUnsignedSaturate(first, second).StoreUnsafe(ref destination, (nuint)pixel);
            }
        }

        for (; pixel < gray.Length; pixel++)
        {
            ref byte red = ref Unsafe.Add(ref source, 3 * pixel);
            Unsafe.Add(ref destination, pixel) = (byte)((red * RedWeight + Unsafe.Add(ref red, 1) * GreenWeight + Unsafe.Add(ref red, 2) * BlueWeight + Half) >> Shift);
        }
    }

    /// <summary>The luma of the four RGB pixels at <paramref name="pixels"/>, as 32-bit lanes (16 bytes are read).</summary>
    private static Vector128<int> Luma4(ref byte pixels)
    {
        var bytes = Vector128.LoadUnsafe(ref pixels);
        var redGreen = Sse2.MultiplyAddAdjacent(Ssse3.Shuffle(bytes, RedGreenLanes).AsInt16(), RedGreenWeights);
        var blue = Sse2.MultiplyAddAdjacent(Ssse3.Shuffle(bytes, BlueLanes).AsInt16(), BlueWeights);
        return Sse2.ShiftRightArithmetic(redGreen + blue + Vector128.Create(Half), Shift);
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
