using System.Numerics;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;
using Simd = System.Numerics.Vector;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Resizes uint8 images (H, W) or (H, W, C) to (h, w) or (h, w, C) by area averaging: output pixel (i, j) covers the
/// source rectangle [i·H/h, (i+1)·H/h) × [j·W/w, (j+1)·W/w), and its value is the mean of the source pixels weighted
/// by how much of each the rectangle covers, rounded to the nearest integer. This is the definition of OpenCV's
/// <c>INTER_AREA</c> for shrinking (what gym's and Gymnasium's <c>ResizeObservation</c> call); for enlarging we keep
/// the same definition, where OpenCV switches to a bilinear variant.
/// </summary>
/// <remarks>
/// The average is separable: one vectorized pass down the columns into a float buffer, then one along the rows, with
/// per-axis tables of weights computed once; the buffer is reused, so a step allocates nothing here. The weights are non-negative
/// and sum to 1, so the new bounds are the resized bounds, exactly.
/// </remarks>
public sealed class Resize : ObservationWrapper
{
    private readonly AxisWeights rowWeights, columnWeights;
    private readonly int sourceHeight, sourceWidth, channels;
    private readonly float[] columnPass;

    public Resize(Env inner, int height, int width)
        : this(inner, RequireImage(inner), height, width)
    {
    }

    private Resize(Env inner, Box source, int height, int width)
        : base(inner, OutputSpaceFor(source, height, width))
    {
        sourceHeight = source.Shape[0];
        sourceWidth = source.Shape[1];
        channels = source.Shape.Length == 3 ? source.Shape[2] : 1;
        rowWeights = new AxisWeights(sourceHeight, height);
        columnWeights = new AxisWeights(sourceWidth, width);
        columnPass = new float[height * sourceWidth * channels];
    }

    protected override void Transform(NDArray observation, NDArray output) =>
        Apply(observation.Data, output.Data, sourceHeight, sourceWidth, channels, rowWeights, columnWeights, columnPass);

    private static void Apply(
        ReadOnlySpan<byte> source, Span<byte> destination, int sourceHeight, int sourceWidth, int channels,
        AxisWeights rowWeights, AxisWeights columnWeights, Span<float> columnPass)
    {
        int height = rowWeights.Outputs, width = columnWeights.Outputs;
        int sourceRowLength = sourceWidth * channels, rowLength = width * channels;
        // Down the columns first, (H, W, C) -> (h, W, C): whole rows at a time, contiguous and vectorized.
        for (int y = 0; y < height; y++)
        {
            var sums = columnPass.Slice(y * sourceRowLength, sourceRowLength);
            sums.Clear();
            int first = rowWeights.First[y];
            var weights = rowWeights.Of(y);
            for (int k = 0; k < weights.Length; k++)
            {
                AddScaled(sums, source.Slice((first + k) * sourceRowLength, sourceRowLength), weights[k]);
            }
        }

        // Then along the rows, (h, W, C) -> (h, w, C), on the fewer rows left.
        for (int y = 0; y < height; y++)
        {
            var sums = columnPass.Slice(y * sourceRowLength, sourceRowLength);
            var outputRow = destination.Slice(y * rowLength, rowLength);
            for (int x = 0; x < width; x++)
            {
                var taps = sums.Slice(columnWeights.First[x] * channels);
                var weights = columnWeights.Of(x);
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < weights.Length; k++) sum += weights[k] * taps[k * channels + c];
                    outputRow[x * channels + c] = (byte)Math.Min((int)(sum + 0.5f), 255);
                }
            }
        }
    }

    /// <summary><paramref name="sums"/> += <paramref name="weight"/> × <paramref name="row"/>, element by element.</summary>
    private static void AddScaled(Span<float> sums, ReadOnlySpan<byte> row, float weight)
    {
        int i = 0;
        if (Simd.IsHardwareAccelerated)
        {
            var scale = new Vector<float>(weight);
            int lanes = Vector<float>.Count;
            for (; i <= row.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                // One vector of bytes widens to four vectors of floats.
                Simd.Widen(new Vector<byte>(row[i..]), out var low, out var high);
                Simd.Widen(low, out var first, out var second);
                Simd.Widen(high, out var third, out var fourth);
                Accumulate(sums.Slice(i), first, scale);
                Accumulate(sums.Slice(i + lanes), second, scale);
                Accumulate(sums.Slice(i + 2 * lanes), third, scale);
                Accumulate(sums.Slice(i + 3 * lanes), fourth, scale);
            }
        }

        for (; i < row.Length; i++) sums[i] += weight * row[i];
    }

    private static void Accumulate(Span<float> sums, Vector<uint> values, Vector<float> scale) =>
        (new Vector<float>(sums) + scale * Simd.ConvertToSingle(values)).CopyTo(sums);

    private static Box RequireImage(Env inner)
    {
        const string needs = "a uint8 Box of shape (H, W) or (H, W, C) (an image)";
        var box = RequireBox(inner, "resize", needs);
        return box.DType == DType.UInt8 && box.Shape.Length is 2 or 3 && box.Low.Length > 0
            ? box
            : throw new ArgumentException($"resize needs {needs}; the observation space is {box}");
    }

    private static Box OutputSpaceFor(Box source, int height, int width)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"resize needs a positive shape; got ({height}, {width})");
        int[] shape = source.Shape.Length == 3 ? [height, width, source.Shape[2]] : [height, width];
        int channels = source.Shape.Length == 3 ? source.Shape[2] : 1;
        var rows = new AxisWeights(source.Shape[0], height);
        var columns = new AxisWeights(source.Shape[1], width);
        var columnPass = new float[height * source.Shape[1] * channels];
        NDArray Resized(NDArray bound)
        {
            var result = NDArray.Zeros(DType.UInt8, (int[])shape.Clone());
            Apply(bound.Data, result.Data, source.Shape[0], source.Shape[1], channels, rows, columns, columnPass);
            return result;
        }

        return new Box(Resized(source.Low), Resized(source.High));
    }

    /// <summary>For each output index along one axis: the first source index it covers and the weights of the covered ones.</summary>
    private sealed class AxisWeights
    {
        private readonly float[] weights;
        private readonly int[] offsets;

        public AxisWeights(int sourceLength, int outputLength)
        {
            Outputs = outputLength;
            First = new int[outputLength];
            offsets = new int[outputLength + 1];
            var all = new List<float>();
            double scale = (double)sourceLength / outputLength;
            for (int o = 0; o < outputLength; o++)
            {
                double start = o * scale, end = (o + 1) * scale;
                int first = (int)Math.Floor(start), last = Math.Min((int)Math.Ceiling(end), sourceLength) - 1;
                First[o] = first;
                offsets[o] = all.Count;
                for (int i = first; i <= last; i++)
                {
                    double covered = Math.Min(end, i + 1) - Math.Max(start, i);
                    all.Add((float)(covered / scale));
                }
            }

            offsets[outputLength] = all.Count;
            weights = [.. all];
        }

        public int Outputs { get; }

        public int[] First { get; }

        public ReadOnlySpan<float> Of(int output) => weights.AsSpan(offsets[output], offsets[output + 1] - offsets[output]);
    }
}
