using ZeroGym.Envs.Core;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;

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

    public override StepResult Step(object action)
    {
        double totalReward = 0;
        StepResult result = default;
        for (int i = 0; i < Skip; i++)
        {
            result = Inner.Step(action);
            totalReward += result.Reward;
            if (result.Terminated || result.Truncated) break;
        }

        return result with { Reward = totalReward };
    }
}
