namespace ZeroGym;

/// <summary>What went wrong with one sub-env of a batch (SPEC.md §3.4: an entry of a batch's <c>errors</c>).</summary>
/// <param name="EnvId">The sub-env.</param>
/// <param name="Code">SPEC.md §3.2's code: <c>invalid_action</c> (the sub-env is unchanged and may be sent another
/// action) or <c>env_failure</c> (it takes no action until the next <c>Reset</c> or <c>AsyncReset</c>).</param>
/// <param name="Message">What was expected and what was found.</param>
public readonly record struct SubEnvFailure(int EnvId, string Code, string Message);

/// <summary>
/// Some sub-envs of a batch failed (SPEC.md §3.4): <see cref="Errors"/> says which and why, and <see cref="Batch"/>
/// holds the results of the others of the same batch, so nothing received is lost.
/// </summary>
public sealed class SubEnvException(IReadOnlyList<SubEnvFailure> errors, VectorBatch batch)
    : ZeroGymException(errors[0].Code, Describe(errors))
{
    /// <summary>The sub-envs that failed, in the order the server reported them.</summary>
    public IReadOnlyList<SubEnvFailure> Errors { get; } = errors;

    /// <summary>The results of the other sub-envs of the batch (possibly none).</summary>
    public VectorBatch Batch { get; } = batch;

    private static string Describe(IReadOnlyList<SubEnvFailure> errors) =>
        $"{errors.Count} sub-env{(errors.Count == 1 ? "" : "s")} of the batch failed ({string.Join("; ", errors.Select(error => $"{error.Code}: {error.Message}"))}); " +
        "the results of the others are in Batch";
}
