namespace ZeroGym;

/// <summary>
/// The results of some sub-envs of a <see cref="RemoteVectorEnv"/>, as <see cref="RemoteVectorEnv.Receive()"/> gives
/// them (SPEC.md §3.4): entry k of every array belongs to sub-env <c>EnvIds[k]</c>, each sub-env at most once, in the
/// order they finished. Send the next actions in the same order with <c>Send(actions, batch.EnvIds)</c>.
/// </summary>
/// <param name="EnvIds">Which sub-env each entry belongs to.</param>
/// <param name="Observations">A value of the observation space batched over the entries (a Box: an NDArray whose first
/// dimension is <see cref="Count"/>).</param>
/// <param name="Rewards">Each entry's reward; 0 for a reset (an <c>AsyncReset</c>, or a sub-env's autoreset after its episode ended).</param>
/// <param name="Terminated">Each entry's episode reached a terminal state.</param>
/// <param name="Truncated">Each entry's episode was cut short (time limit).</param>
/// <param name="Info">Gymnasium's vector info layout over the entries: <c>key</c> → <see cref="Count"/> values, <c>_key</c> → bool mask.</param>
public sealed record VectorBatch(
    int[] EnvIds, object Observations, double[] Rewards, bool[] Terminated, bool[] Truncated, IReadOnlyDictionary<string, object?> Info)
{
    /// <summary>The number of entries (sub-envs) in the batch.</summary>
    public int Count => EnvIds.Length;
}
