using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Stacks the last <see cref="Size"/> observations into one of shape (n, ...), oldest first and newest last, as
/// Gymnasium 1.x's <c>FrameStackObservation</c> with its default <c>padding_type="reset"</c>: at reset every slot
/// holds the reset observation (gym's <c>FrameStack</c>, which the Mario tutorial uses, fills them the same way).
/// </summary>
/// <remarks>Works on any Box; the new bounds are the old ones repeated n times. The history is a ring of n frames,
/// so a step copies one frame in and the n frames out.</remarks>
public sealed class FrameStack : ObservationWrapper
{
    private readonly byte[] history;
    private readonly int frameBytes;
    private int oldest;

    public FrameStack(Env inner, int size)
        : base(inner, OutputSpaceFor(RequireBox(inner, "frame_stack", "a Box observation space"), size))
    {
        Size = size;
        frameBytes = ((Box)inner.ObservationSpace).Low.Data.Length;
        history = new byte[size * frameBytes];
    }

    public int Size { get; }

    protected override void Restart(NDArray observation)
    {
        for (int slot = 0; slot < Size; slot++) observation.Data.CopyTo(history, slot * frameBytes);
        oldest = 0;
    }

    protected override void Transform(NDArray observation, NDArray output)
    {
        // The new frame replaces the oldest, and the next slot becomes the oldest.
        observation.Data.CopyTo(history, oldest * frameBytes);
        oldest = (oldest + 1) % Size;
        int tail = (Size - oldest) * frameBytes;
        history.AsSpan(oldest * frameBytes, tail).CopyTo(output.Data);
        history.AsSpan(0, oldest * frameBytes).CopyTo(output.Data.AsSpan(tail));
    }

    private static Box OutputSpaceFor(Box frame, int size)
    {
        if (size < 1) throw new ArgumentException($"frame_stack needs n >= 1; got {size}");
        int[] shape = [size, .. frame.Shape];
        NDArray Repeated(NDArray bound)
        {
            var result = NDArray.Zeros(frame.DType, (int[])shape.Clone());
            for (int slot = 0; slot < size; slot++) bound.Data.CopyTo(result.Data, slot * bound.Data.Length);
            return result;
        }

        return new Box(Repeated(frame.Low), Repeated(frame.High));
    }
}
