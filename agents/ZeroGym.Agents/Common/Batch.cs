namespace ZeroGym.Agents.Common;

/// <summary>
/// Transitions sampled from a <see cref="ReplayBuffer"/>, row-major: transition i's observation is
/// <c>Observations[i * observationSize .. (i + 1) * observationSize]</c>, and so on for the other arrays.
/// </summary>
/// <param name="Actions">Row-major, actionSize values per transition; a discrete action is its index.</param>
/// <param name="Terminated">1 where the episode reached a terminal state after the action, else 0 (a time-limit
/// truncation is not termination: the next state's value still counts).</param>
/// <param name="Size">Number of transitions.</param>
public sealed record Batch(float[] Observations, float[] Actions, float[] Rewards, float[] NextObservations, float[] Terminated, int Size);
