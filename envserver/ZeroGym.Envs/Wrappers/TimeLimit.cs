using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Truncates episodes after a number of steps, as <c>gymnasium.wrappers.TimeLimit</c>: the step that reaches the
/// limit returns <c>truncated = true</c> (and keeps <c>terminated</c> as the env said).
/// </summary>
public sealed class TimeLimit : Wrapper
{
    private int elapsedSteps;

    public TimeLimit(Env inner, int maxEpisodeSteps)
        : base(inner)
    {
        if (maxEpisodeSteps <= 0) throw new ArgumentOutOfRangeException(nameof(maxEpisodeSteps), "the time limit must be positive");
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    public int MaxEpisodeSteps { get; }

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var result = Inner.Reset(seed, options);
        elapsedSteps = 0;
        return result;
    }

    public override StepResult Step(object action)
    {
        var result = Inner.Step(action);
        elapsedSteps++;
        return elapsedSteps >= MaxEpisodeSteps ? result with { Truncated = true } : result;
    }

    public override StepResult StepUnobserved(object action)
    {
        // The step that reaches the limit ends the episode, so its observation is made.
        if (elapsedSteps + 1 >= MaxEpisodeSteps) return Step(action);
        var result = Inner.StepUnobserved(action);
        elapsedSteps++;
        return result;
    }
}
