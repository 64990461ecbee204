using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// A wrapper that changes only observations, as <c>gymnasium.ObservationWrapper</c>: reset and step go to the inner
/// env and their observation is transformed; reward, flags, info and render pass through unchanged.
/// </summary>
/// <remarks>
/// Each returned observation is a fresh array the caller may keep (replay buffers do), except when the outer env is
/// itself an observation wrapper: that one reads the observation at once and never hands it on, so the output buffer
/// is reused and the chain allocates one array per step, at its outer end. The inner env is told the same
/// (<see cref="Env.ObservationsReadAtOnce"/>), through any wrappers between that pass observations on (a frame skip).
/// </remarks>
public abstract class ObservationWrapper : Wrapper
{
    private NDArray? reusedOutput;

    protected ObservationWrapper(Env inner, Box outputSpace)
        : base(inner)
    {
        OutputSpace = outputSpace;
        inner.ReadObservationsAtOnce();
    }

    /// <summary>The transformed observation space, with exact bounds.</summary>
    public Box OutputSpace { get; }

    public override Space ObservationSpace => OutputSpace;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var result = Inner.Reset(seed, options);
        var observation = (NDArray)result.Observation;
        Restart(observation);
        return result with { Observation = Observe(observation) };
    }

    public override StepResult Step(object action)
    {
        var result = Inner.Step(action);
        return result with { Observation = Observe((NDArray)result.Observation) };
    }

    /// <summary>Writes the transformed <paramref name="observation"/> into <paramref name="output"/> (shaped as <see cref="OutputSpace"/>).</summary>
    protected abstract void Transform(NDArray observation, NDArray output);

    /// <summary>Called with the reset observation before it is transformed; stateful wrappers start over here.</summary>
    protected virtual void Restart(NDArray observation)
    {
    }

    /// <summary>The inner env's observation space as a Box, or an error naming what <paramref name="wrapper"/> needs.</summary>
    protected static Box RequireBox(Env inner, string wrapper, string needs) =>
        inner.ObservationSpace as Box
        ?? throw new ArgumentException($"{wrapper} needs {needs}; the observation space is {inner.ObservationSpace}");

    /// <summary>The observations returned are this wrapper's own, not its inner env's: the mark stops here.</summary>
    private protected override void OnObservationsReadAtOnce()
    {
    }

    private NDArray Observe(NDArray observation)
    {
        var output = ObservationsReadAtOnce
            ? reusedOutput ??= NDArray.Zeros(OutputSpace.DType, (int[])OutputSpace.Shape.Clone())
            : NDArray.Zeros(OutputSpace.DType, (int[])OutputSpace.Shape.Clone());
        Transform(observation, output);
        return output;
    }
}
