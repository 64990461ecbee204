namespace ZeroGym;

// The results of reset and step, shared by envs in-process, the server and the clients, as Gymnasium's tuples are.

/// <summary>What reset returns: the first observation and an info map.</summary>
public readonly record struct ResetResult(object Observation, IReadOnlyDictionary<string, object?> Info);

/// <summary>What step returns, with Gymnasium's meaning of each field.</summary>
/// <param name="Observation">The observation after the action, a value of the env's observation space.</param>
/// <param name="Reward">The reward for the action.</param>
/// <param name="Terminated">The episode reached a terminal state of the MDP (the pole fell).</param>
/// <param name="Truncated">The episode was cut short from outside the MDP (a time limit).</param>
/// <param name="Info">What the env adds about the step (Gymnasium's info dict).</param>
public readonly record struct StepResult(
    object Observation, double Reward, bool Terminated, bool Truncated, IReadOnlyDictionary<string, object?> Info);

/// <summary>What a vector env's reset returns (SPEC.md §2.3).</summary>
/// <param name="Observations">A value of the batched observation space; sub-env i at index i.</param>
/// <param name="Info">Gymnasium's vector info layout: <c>key</c> → N values, <c>_key</c> → bool mask (N,).</param>
public readonly record struct VectorResetResult(object Observations, IReadOnlyDictionary<string, object?> Info);

/// <summary>What a vector env's step returns; every array has one element per sub-env.</summary>
/// <param name="Observations">A value of the batched observation space; sub-env i at index i.</param>
/// <param name="Rewards">Each sub-env's reward.</param>
/// <param name="Terminated">Each sub-env's episode reached a terminal state.</param>
/// <param name="Truncated">Each sub-env's episode was cut short from outside the MDP (a time limit).</param>
/// <param name="Info">Gymnasium's vector info layout: <c>key</c> → N values, <c>_key</c> → bool mask (N,).</param>
public readonly record struct VectorStepResult(
    object Observations, double[] Rewards, bool[] Terminated, bool[] Truncated, IReadOnlyDictionary<string, object?> Info);
