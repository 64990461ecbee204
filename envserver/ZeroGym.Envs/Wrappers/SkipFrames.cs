using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// Repeats each action <see cref="Skip"/> times and sums the rewards, as the Mario tutorial's <c>SkipFrame</c> (and
/// the frame skip of Atari's <c>MaxAndSkipEnv</c>, without the max-pooling): it stops early when the inner env
/// terminates or truncates, and returns the observation, flags and info of the last inner step.
/// </summary>
/// <remarks>Spaces are unchanged. An inner time limit counts inner steps, so it truncates after
/// max_episode_steps / <see cref="Skip"/> outer steps (rounded up).</remarks>
public sealed class SkipFrames : Wrapper
{
    public SkipFrames(Env inner, int skip)
        : base(inner)
    {
        if (skip < 1) throw new ArgumentOutOfRangeException(nameof(skip), $"skip_frames needs n >= 1; got {skip}");
        Skip = skip;
    }

    public int Skip { get; }

    public override StepResult Step(object action) => Repeat(action, observeLast: true);

    public override StepResult StepUnobserved(object action) => Repeat(action, observeLast: false);

    private StepResult Repeat(object action, bool observeLast)
    {
        double totalReward = 0;
        StepResult result = default;
        for (int i = 0; i < Skip; i++)
        {
            // Only the last step's observation is returned, so the inner env need not make the others (an NES
            // frame copied out for nothing), except on a step that ends the episode, where it always does.
            result = observeLast && i == Skip - 1 ? Inner.Step(action) : Inner.StepUnobserved(action);
            totalReward += result.Reward;
            if (result.Terminated || result.Truncated) break;
        }

        return result with { Reward = totalReward };
    }
}
