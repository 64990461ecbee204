using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// An env around another, as <c>gymnasium.Wrapper</c>: everything passes through to <see cref="Inner"/> unless the
/// wrapper overrides it, and disposing the wrapper disposes the inner env.
/// </summary>
public abstract class Wrapper : Env
{
    protected Wrapper(Env inner)
    {
        Inner = inner;
        RenderMode = inner.RenderMode;
    }

    public Env Inner { get; }

    public override Space ObservationSpace => Inner.ObservationSpace;

    public override Space ActionSpace => Inner.ActionSpace;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        Inner.Reset(seed, options);

    public override StepResult Step(object action) => Inner.Step(action);

    public override NDArray Render() => Inner.Render();

    /// <summary>This wrapper returns its inner env's observations (a time limit, a frame skip), so they are read at once too.</summary>
    private protected override void OnObservationsReadAtOnce() => Inner.ReadObservationsAtOnce();

    public override void Dispose()
    {
        Inner.Dispose();
        base.Dispose();
    }
}
