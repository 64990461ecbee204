using ZeroGym.Arrays;

namespace ZeroGym.Agents.Common;

/// <summary>
/// Steps a remote vector env with a flat Box observation in fixed groups of consecutive sub-envs, so that an agent
/// computes one group's actions while the others step on the server (SPEC.md §3.4: <c>send</c>/<c>recv</c> with a
/// batch of one group). The agent works group by group in a fixed order, whether or not the steps overlap, so an
/// overlapped run gives exactly the results of one that is not: only the waiting changes.
/// </summary>
/// <remarks>
/// Each step the agent calls, for every group in order, <see cref="Collect"/> (the group's results of its previous
/// <see cref="Send"/>) and then <see cref="Send"/>. Without overlap the vector env's batch is all of its sub-envs: the
/// actions of every group are gathered and go out in one synchronous <c>step</c> when the last group's are given.
/// With overlap the batch is one group: each group's actions go out at once, and results are placed by env id
/// whatever order the server finishes them in.
/// </remarks>
public sealed class PipelinedVectorEnv
{
    private readonly RemoteVectorEnv envs;
    private readonly int observationSize;
    private readonly long[] syncActions;
    private readonly int[] missing;
    private readonly int[][] groupEnvIds;
    private readonly float[] observations;
    private readonly double[] rewards;
    private readonly bool[] terminated;
    private readonly bool[] truncated;

    /// <param name="envs">A vector env whose batch size is either all its sub-envs (no overlap) or <paramref name="groups"/>' size.</param>
    /// <param name="observationSize">Floats in one sub-env's observation.</param>
    /// <param name="groups">How many groups the sub-envs split into; must divide the number of sub-envs.</param>
    public PipelinedVectorEnv(RemoteVectorEnv envs, int observationSize, int groups)
    {
        if (groups < 1 || envs.NumEnvs % groups != 0)
        {
            throw new ArgumentException($"the {envs.NumEnvs} sub-envs must split into equal groups; {groups} groups do not divide them", nameof(groups));
        }

        this.envs = envs;
        this.observationSize = observationSize;
        int groupSize = envs.NumEnvs / groups;
        GroupSize = groupSize;
        Overlapped = envs.BatchSize != envs.NumEnvs;
        if (Overlapped && envs.BatchSize != groupSize)
        {
            throw new ArgumentException($"an overlapped vector env needs a batch of one group ({groupSize} sub-envs); its batch size is {envs.BatchSize}", nameof(envs));
        }

        syncActions = new long[envs.NumEnvs];
        missing = new int[groups];
        groupEnvIds = Enumerable.Range(0, groups).Select(g => Enumerable.Range(g * groupSize, groupSize).ToArray()).ToArray();
        observations = new float[envs.NumEnvs * observationSize];
        rewards = new double[envs.NumEnvs];
        terminated = new bool[envs.NumEnvs];
        truncated = new bool[envs.NumEnvs];
    }

    /// <summary>Sub-envs in each group; group g holds sub-envs g·GroupSize … (g+1)·GroupSize − 1.</summary>
    public int GroupSize { get; }

    /// <summary>The number of groups.</summary>
    public int Groups => groupEnvIds.Length;

    /// <summary>True when a group's step runs on the server while the agent works on the next group.</summary>
    public bool Overlapped { get; }

    /// <summary>Resets every sub-env (sub-env i seeded <paramref name="seed"/> + i) and copies the observations into <paramref name="destination"/>.</summary>
    public void Reset(long seed, Span<float> destination) =>
        ((NDArray)envs.Reset(seed).Observations).AsSpan<float>().CopyTo(destination);

    /// <summary>Sends the actions of <paramref name="group"/>'s sub-envs, in the order of their ids.</summary>
    public void Send(int group, ReadOnlySpan<long> actions)
    {
        missing[group] = GroupSize;
        if (Overlapped)
        {
            envs.Send(NDArray.From(actions.ToArray(), GroupSize), groupEnvIds[group]);
            return;
        }

        actions.CopyTo(syncActions.AsSpan(group * GroupSize));
        if (group < Groups - 1) return;
        var step = envs.Step(NDArray.From(syncActions, syncActions.Length));
        ((NDArray)step.Observations).AsSpan<float>().CopyTo(observations);
        step.Rewards.CopyTo(rewards);
        step.Terminated.CopyTo(terminated);
        step.Truncated.CopyTo(truncated);
        Array.Clear(missing);
    }

    /// <summary>
    /// Waits for the results of <paramref name="group"/>'s last <see cref="Send"/> and copies them into the spans,
    /// which hold the group's sub-envs in the order of their ids.
    /// </summary>
    public void Collect(int group, Span<float> observationsOut, Span<double> rewardsOut, Span<bool> terminatedOut, Span<bool> truncatedOut)
    {
        while (missing[group] > 0) Place(envs.Receive());
        int first = group * GroupSize;
        observations.AsSpan(first * observationSize, GroupSize * observationSize).CopyTo(observationsOut);
        rewards.AsSpan(first, GroupSize).CopyTo(rewardsOut);
        terminated.AsSpan(first, GroupSize).CopyTo(terminatedOut);
        truncated.AsSpan(first, GroupSize).CopyTo(truncatedOut);
    }

    private void Place(VectorBatch batch)
    {
        var batchObservations = ((NDArray)batch.Observations).AsSpan<float>();
        for (int k = 0; k < batch.Count; k++)
        {
            int envId = batch.EnvIds[k];
            batchObservations.Slice(k * observationSize, observationSize).CopyTo(observations.AsSpan(envId * observationSize));
            rewards[envId] = batch.Rewards[k];
            terminated[envId] = batch.Terminated[k];
            truncated[envId] = batch.Truncated[k];
            missing[envId / GroupSize]--;
        }
    }
}
