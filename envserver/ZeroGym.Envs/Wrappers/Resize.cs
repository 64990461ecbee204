using ZeroGym.Envs.Core;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Resizes uint8 images (H, W) or (H, W, C) to (h, w) or (h, w, C) by area averaging: output pixel (i, j) covers the
/// source rectangle [i·H/h, (i+1)·H/h) × [j·W/w, (j+1)·W/w), and its value is the mean of the source pixels weighted
/// by how much of each the rectangle covers, rounded to the nearest integer. This is the definition of OpenCV's
/// <c>INTER_AREA</c> for shrinking (what gym's and Gymnasium's <c>ResizeObservation</c> call); for enlarging we keep
/// the same definition, where OpenCV switches to a bilinear variant.
/// </summary>
/// <remarks>
/// The average is separable: one pass along rows into a float buffer, one along columns, with per-axis tables of
/// weights computed once; both buffers are reused, so a step allocates nothing here. The weights are non-negative
/// and sum to 1, so the new bounds are the resized bounds, exactly.
/// </remarks>
public sealed class Resize : ObservationWrapper
{
    private readonly AxisWeights rowWeights, columnWeights;
    private readonly int sourceHeight, sourceWidth, channels;
    private readonly float[] rowPass;

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
        rowPass = new float[sourceHeight * width * channels];
    }

    protected override void Transform(NDArray observation, NDArray output) =>
        Apply(observation.Data, output.Data, sourceHeight, sourceWidth, channels, rowWeights, columnWeights, rowPass);

    private static void Apply(
        ReadOnlySpan<byte> source, Span<byte> destination, int sourceHeight, int sourceWidth, int channels,
        AxisWeights rowWeights, AxisWeights columnWeights, Span<float> rowPass)
    {
        int width = columnWeights.Outputs, height = rowWeights.Outputs;
        // Along each source row: (H, W, C) -> (H, w, C).
        for (int y = 0; y < sourceHeight; y++)
        {
            var sourceRow = source.Slice(y * sourceWidth * channels, sourceWidth * channels);
            var passRow = rowPass.Slice(y * width * channels, width * channels);
            for (int x = 0; x < width; x++)
            {
                int first = columnWeights.First[x];
                var weights = columnWeights.Of(x);
                for (int c = 0; c < channels; c++)
                {
                    float sum = 0;
                    for (int k = 0; k < weights.Length; k++) sum += weights[k] * sourceRow[(first + k) * channels + c];
                    passRow[x * channels + c] = sum;
                }
            }
        }

        // Along each column: (H, w, C) -> (h, w, C).
        int rowLength = width * channels;
        for (int y = 0; y < height; y++)
        {
            int first = rowWeights.First[y];
            var weights = rowWeights.Of(y);
            var outputRow = destination.Slice(y * rowLength, rowLength);
            for (int i = 0; i < rowLength; i++)
            {
                float sum = 0;
                for (int k = 0; k < weights.Length; k++) sum += weights[k] * rowPass[(first + k) * rowLength + i];
                outputRow[i] = (byte)Math.Clamp((int)(sum + 0.5f), 0, 255);
            }
        }
    }

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
        var rowPass = new float[source.Shape[0] * width * channels];
        NDArray Resized(NDArray bound)
        {
            var result = NDArray.Zeros(DType.UInt8, (int[])shape.Clone());
            Apply(bound.Data, result.Data, source.Shape[0], source.Shape[1], channels, rows, columns, rowPass);
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
