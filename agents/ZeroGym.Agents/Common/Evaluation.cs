using ZeroGym.Arrays;

namespace ZeroGym.Agents.Common;

/// <summary>How one episode went.</summary>
/// <param name="FinalInfo">The info of the episode's last step (Mario's x_pos, HalfCheetah's x_position...).</param>
public sealed record EpisodeResult(double Return, int Length, IReadOnlyDictionary<string, object?> FinalInfo);

/// <summary>Greedy evaluation: episodes played with the policy's best action, on an env separate from training's.</summary>
public static class Evaluation
{
    /// <summary>
    /// Plays <paramref name="episodes"/> episodes on <paramref name="env"/>, episode i reset with seed
    /// <paramref name="seed"/> + i, and returns their episodic returns.
    /// </summary>
    /// <param name="greedyAction">The policy's best action for an observation (a <see cref="long"/> for Discrete, a
    /// float[] of env-scaled values for Box).</param>
    public static IReadOnlyList<double> Run(RemoteEnv env, Func<object, object> greedyAction, int episodes, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodes);
        var returns = new double[episodes];
        for (int i = 0; i < episodes; i++) returns[i] = PlayEpisode(env, greedyAction, seed + i).Return;
        return returns;
    }

    /// <summary>
    /// Plays one episode from a reset with <paramref name="seed"/>; with <paramref name="onFrame"/>, renders after the
    /// reset and after every step (the env must have been made with render mode <c>rgb_array</c>).
    /// </summary>
    public static EpisodeResult PlayEpisode(RemoteEnv env, Func<object, object> greedyAction, long seed, Action<NDArray>? onFrame = null)
    {
        var observation = env.Reset(seed: seed).Observation;
        onFrame?.Invoke(env.Render());
        double episodicReturn = 0;
        int length = 0;
        while (true)
        {
            object action = greedyAction(observation);
            var step = env.Step(action is float[] values ? BoxActions.ToWire(values) : action);
            onFrame?.Invoke(env.Render());
            episodicReturn += step.Reward;
            length++;
            if (step.Terminated || step.Truncated) return new EpisodeResult(episodicReturn, length, step.Info);
            observation = step.Observation;
        }
    }
}
