using ZeroGym.Spaces;

namespace ZeroGym.Envs.Vector;

/// <summary>
/// What one sub-env of a <see cref="SyncVectorEnv"/> gave when stepped or reset on its own: its result, or the
/// exception it threw (then the other fields are empty). A reset has reward 0 and both flags false.
/// </summary>
public readonly record struct SubEnvResult(
    int EnvId,
    object? Observation,
    double Reward,
    bool Terminated,
    bool Truncated,
    IReadOnlyDictionary<string, object?>? Info,
    Exception? Failure)
{
    /// <summary>
    /// Batches successful <paramref name="results"/> as a vector step of that many sub-envs, in their order:
    /// observations of <paramref name="singleObservationSpace"/> concatenated, infos in Gymnasium's vector layout.
    /// </summary>
    public static VectorStepResult Batch(Space singleObservationSpace, ReadOnlySpan<SubEnvResult> results)
    {
        int count = results.Length;
        var observations = new object[count];
        var rewards = new double[count];
        var terminated = new bool[count];
        var truncated = new bool[count];
        var info = new Dictionary<string, object?>();
        for (int k = 0; k < count; k++)
        {
            ref readonly var result = ref results[k];
            if (result.Failure is not null) throw new ArgumentException($"result {k} (sub-env {result.EnvId}) is a failure; only successful results are batched", nameof(results));
            (observations[k], rewards[k], terminated[k], truncated[k]) = (result.Observation!, result.Reward, result.Terminated, result.Truncated);
            VectorInfo.Add(info, result.Info!, k, count);
        }

        return new VectorStepResult(Batching.Concatenate(singleObservationSpace, observations), rewards, terminated, truncated, info);
    }
}
