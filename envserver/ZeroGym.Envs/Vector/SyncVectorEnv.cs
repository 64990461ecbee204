using ZeroGym.Envs.Core;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;

namespace ZeroGym.Envs.Vector;

/// <summary>
/// N envs stepped one after the other in the caller's thread, as Gymnasium 1.x's <c>SyncVectorEnv</c> with
/// autoreset mode NEXT_STEP: a sub-env that terminates or truncates at step t returns its last observation, reward
/// and flags at step t as usual; at step t + 1 its action is ignored and it is reset instead, returning the reset
/// observation and info with reward 0 and both flags false.
/// </summary>
/// <remarks>The vector env owns its sub-envs and disposes them. Like every env it is single-threaded.</remarks>
public sealed class SyncVectorEnv : IDisposable
{
    private readonly Env[] envs;
    private readonly bool[] needsAutoreset;
    private bool hasReset;

    /// <summary>Vectorizes <paramref name="envs"/>, which must all have the same observation and action spaces.</summary>
    public SyncVectorEnv(IReadOnlyList<Env> envs)
    {
        if (envs.Count == 0) throw new ArgumentException("a vector env needs at least one env", nameof(envs));
        this.envs = [.. envs];
        SingleObservationSpace = envs[0].ObservationSpace;
        SingleActionSpace = envs[0].ActionSpace;
        for (int i = 1; i < envs.Count; i++)
        {
            if (!envs[i].ObservationSpace.Equals(SingleObservationSpace) || !envs[i].ActionSpace.Equals(SingleActionSpace))
            {
                throw new ArgumentException(
                    $"every sub-env must have env 0's spaces, observation {SingleObservationSpace} and action {SingleActionSpace}; " +
                    $"env {i} has observation {envs[i].ObservationSpace} and action {envs[i].ActionSpace}",
                    nameof(envs));
            }
        }

        ObservationSpace = Batching.BatchSpace(SingleObservationSpace, envs.Count);
        ActionSpace = Batching.BatchSpace(SingleActionSpace, envs.Count);
        needsAutoreset = new bool[envs.Count];
    }

    /// <summary>N, the number of sub-envs.</summary>
    public int NumEnvs => envs.Length;

    /// <summary>The observation space of one sub-env.</summary>
    public Space SingleObservationSpace { get; }

    /// <summary>The action space of one sub-env.</summary>
    public Space SingleActionSpace { get; }

    /// <summary>The space of batched observations, <c>batch_space(single_observation_space, N)</c>.</summary>
    public Space ObservationSpace { get; }

    /// <summary>The space of batched actions, <c>batch_space(single_action_space, N)</c>.</summary>
    public Space ActionSpace { get; }

    /// <summary>
    /// Resets every sub-env. <paramref name="seeds"/> holds one seed per sub-env (null keeps that sub-env's generator);
    /// a null list keeps every generator. The same <paramref name="options"/> go to each sub-env.
    /// </summary>
    public VectorResetResult Reset(IReadOnlyList<long?>? seeds = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        // Checked here so that a bad seed for a later sub-env cannot leave the earlier ones reset.
        if (seeds is not null && seeds.Count != NumEnvs)
        {
            throw new ArgumentException($"Reset needs one seed per sub-env ({NumEnvs}); got {seeds.Count}", nameof(seeds));
        }

        for (int i = 0; i < NumEnvs; i++)
        {
            if (seeds?[i] is < 0) throw new ArgumentException($"seeds must be non-negative integers; seed {i} is {seeds[i]}", nameof(seeds));
        }

        var observations = new object[NumEnvs];
        var info = new Dictionary<string, object?>();
        for (int i = 0; i < NumEnvs; i++)
        {
            var result = envs[i].Reset(seeds?[i], options);
            observations[i] = result.Observation;
            VectorInfo.Add(info, result.Info, i, NumEnvs);
        }

        Array.Clear(needsAutoreset);
        hasReset = true;
        return new VectorResetResult(Batching.Concatenate(SingleObservationSpace, observations), info);
    }

    /// <summary>
    /// Steps every sub-env with its action from <paramref name="actions"/>, a canonical value of
    /// <see cref="ActionSpace"/> (for a Discrete action space an int64 array (N,)); sub-envs that ended on the previous
    /// step are reset instead (see the class summary).
    /// </summary>
    public VectorStepResult Step(object actions)
    {
        if (!hasReset) throw new InvalidOperationException("SyncVectorEnv: Step called before Reset");
        var perEnv = Batching.Iterate(SingleActionSpace, actions, NumEnvs);
        var observations = new object[NumEnvs];
        var rewards = new double[NumEnvs];
        var terminated = new bool[NumEnvs];
        var truncated = new bool[NumEnvs];
        var info = new Dictionary<string, object?>();
        for (int i = 0; i < NumEnvs; i++)
        {
            IReadOnlyDictionary<string, object?> envInfo;
            if (needsAutoreset[i])
            {
                (observations[i], envInfo) = envs[i].Reset();
            }
            else
            {
                (observations[i], rewards[i], terminated[i], truncated[i], envInfo) = envs[i].Step(perEnv[i]);
            }

            VectorInfo.Add(info, envInfo, i, NumEnvs);
        }

        for (int i = 0; i < NumEnvs; i++) needsAutoreset[i] = terminated[i] || truncated[i];
        return new VectorStepResult(Batching.Concatenate(SingleObservationSpace, observations), rewards, terminated, truncated, info);
    }

    /// <summary>The current frame of each sub-env, in order.</summary>
    public IReadOnlyList<NDArray> Render()
    {
        var frames = new NDArray[NumEnvs];
        for (int i = 0; i < frames.Length; i++) frames[i] = envs[i].Render();
        return frames;
    }

    /// <summary>Disposes every sub-env.</summary>
    public void Dispose()
    {
        foreach (var env in envs) env.Dispose();
    }
}
