using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Core;

/// <summary>
/// A reinforcement-learning environment with Gymnasium's contract: <see cref="Reset"/> starts an episode,
/// <see cref="Step"/> advances it by one action, <see cref="Render"/> draws the current state.
/// </summary>
/// <remarks>
/// <para>Observations and actions are canonical values of <see cref="ObservationSpace"/> and
/// <see cref="ActionSpace"/> (see <see cref="Space"/>). <see cref="Step"/> may assume its action is inside the
/// action space and that the episode is running: the server checks both before calling it.</para>
/// <para>An env is single-threaded: one caller at a time.</para>
/// </remarks>
public abstract class Env : IDisposable
{
    private NumpyRandom? random;

    public abstract Space ObservationSpace { get; }

    public abstract Space ActionSpace { get; }

    /// <summary>Null (no rendering) or one of the spec's render modes, fixed at construction.</summary>
    public string? RenderMode { get; protected init; }

    /// <summary>
    /// The env's random generator, numpy's <c>default_rng</c>: seeded from OS entropy on first use unless
    /// <see cref="Reset"/> got a seed first, exactly as Gymnasium's <c>env.np_random</c>.
    /// </summary>
    protected NumpyRandom Random => random ??= NumpyRandom.FromEntropy();

    /// <summary>
    /// True when whoever receives this env's observations reads each one before the next reset or step and never
    /// keeps it (an observation wrapper around it), so the env may return the same reused array every time.
    /// </summary>
    protected internal bool ObservationsReadAtOnce { get; private set; }

    /// <summary>Tells the env its observations are read at once (see <see cref="ObservationsReadAtOnce"/>).</summary>
    internal void ReadObservationsAtOnce()
    {
        ObservationsReadAtOnce = true;
        OnObservationsReadAtOnce();
    }

    /// <summary>Wrappers that hand their inner env's observations on unchanged tell the inner env too.</summary>
    private protected virtual void OnObservationsReadAtOnce()
    {
    }

    /// <summary>
    /// Starts a new episode. With a <paramref name="seed"/> the generator is reseeded first, so the same seed
    /// gives the same start. <paramref name="options"/> are env-specific; bad options throw
    /// <see cref="ArgumentException"/> before any state changes.
    /// </summary>
    public virtual ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        if (seed is long value) random = NumpyRandom.FromSeed(value);
        return default;
    }

    public abstract StepResult Step(object action);

    /// <summary>
    /// <see cref="Step"/> for a caller that reads the observation only when the step ends the episode, as a frame
    /// skip's steps before its last: the observation is null unless the step terminated or truncated. Envs whose
    /// observation is costly to make (an emulator's screen) override this; the rest step as usual.
    /// </summary>
    public virtual StepResult StepUnobserved(object action) => Step(action);

    /// <summary>The current frame (uint8, H×W×3) when <see cref="RenderMode"/> is "rgb_array".</summary>
    public virtual NDArray Render() =>
        throw new InvalidOperationException($"{GetType().Name} cannot render");

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Shared empty info map.</summary>
public static class Info
{
    public static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();
}
