namespace ZeroGym;

/// <summary>Where one sub-env of a <see cref="RemoteVectorEnv"/> is, as SPEC.md §3.4 defines it.</summary>
internal enum SubEnvState
{
    /// <summary>Its last result was received (or it was never sent to): it may be sent an action.</summary>
    Idle,

    /// <summary>Sent to (or reset by <c>AsyncReset</c>), its result not yet received.</summary>
    InFlight,

    /// <summary>Its env failed: it takes no action until a reset makes it anew.</summary>
    Failed,
}

/// <summary>
/// The client's copy of a vector env's sub-env states (SPEC.md §3.4), kept in step with the server's by applying the
/// same rules to what was sent and received. It lets the client reject locally, with the server's error code and a
/// message naming the sub-env, what the server would reject as a whole, and it counts the sub-envs in flight that no
/// posted <c>recv</c> waits for yet.
/// </summary>
internal sealed class SubEnvTracker(int numEnvs, int batchSize)
{
    private readonly SubEnvState[] states = new SubEnvState[numEnvs];

    /// <summary>Every <c>recv</c> answers with this many sub-envs.</summary>
    public int BatchSize { get; } = batchSize;

    /// <summary>Whether the env was reset since it was made (before that, <c>send</c> is <c>reset_needed</c>).</summary>
    public bool Started { get; private set; }

    /// <summary>Sub-envs sent to whose results have not been received.</summary>
    public int InFlight { get; private set; }

    /// <summary>The <c>recv</c>s posted (alone or with a send) and not yet received.</summary>
    public int PostedRecvs { get; private set; }

    /// <summary>
    /// Sub-envs in flight that no posted <c>recv</c> may take: each takes at most <see cref="BatchSize"/> (exactly that
    /// without <c>min_batch</c>), so counting it so never asks the server for a recv it could not answer (SPEC.md §3.4).
    /// </summary>
    public int Unclaimed => InFlight - PostedRecvs * BatchSize;

    private int FailedCount => states.Count(state => state == SubEnvState.Failed);

    /// <summary>After <c>reset</c> (every sub-env idle) or <c>async_reset</c> (every sub-env in flight): failed sub-envs were made anew.</summary>
    public void ResetAll(bool inFlight)
    {
        Array.Fill(states, inFlight ? SubEnvState.InFlight : SubEnvState.Idle);
        InFlight = inFlight ? states.Length : 0;
        PostedRecvs = 0;
        Started = true;
    }

    /// <summary>After a failed reset or a rejected request: nothing is known to be in flight, and a reset must come first.</summary>
    public void Forget()
    {
        Array.Fill(states, SubEnvState.Idle);
        InFlight = 0;
        PostedRecvs = 0;
        Started = false;
    }

    /// <summary>Throws what the server would answer to a <c>send</c> to <paramref name="envIds"/>, as a whole; nothing changes.</summary>
    public void CheckSend(IReadOnlyList<int> envIds, long handle)
    {
        if (!Started)
        {
            throw new ZeroGymException(ErrorCodes.ResetNeeded, $"env {handle} has not been reset yet; call Reset or AsyncReset before Send");
        }

        if (envIds.Count == 0) throw new ZeroGymException(ErrorCodes.InvalidArgument, "env_id lists no sub-env; send needs at least one");
        var seen = new bool[states.Length];
        for (int k = 0; k < envIds.Count; k++)
        {
            int envId = envIds[k];
            string? problem = envId < 0 || envId >= states.Length ? $"is not a sub-env of env {handle}, whose sub-envs are 0 to {states.Length - 1}"
                : seen[envId] ? "is listed twice; a batch holds each sub-env once"
                : states[envId] == SubEnvState.InFlight ? "is in flight: its result has not been received yet (Receive it first)"
                : states[envId] == SubEnvState.Failed ? "failed; Reset or AsyncReset makes it anew"
                : null;
            if (problem is not null) throw new ZeroGymException(ErrorCodes.InvalidArgument, $"sub-env {envId} (env_id[{k}]) {problem}");
            seen[envId] = true;
        }
    }

    /// <summary>The sub-envs of a send (checked by <see cref="CheckSend"/>) are in flight.</summary>
    public void Sent(IReadOnlyList<int> envIds)
    {
        foreach (int envId in envIds) states[envId] = SubEnvState.InFlight;
        InFlight += envIds.Count;
    }

    /// <summary>A <c>recv</c> was posted (alone or with a send).</summary>
    public void PostedRecv() => PostedRecvs++;

    /// <summary>Throws what the server would answer to a <c>recv</c> of at least <paramref name="minBatch"/> results that could never be answered.</summary>
    public void CheckRecv(int minBatch)
    {
        if (Unclaimed >= minBatch) return;
        string needs = minBatch == BatchSize ? $"batch_size ({BatchSize})" : $"at least min_batch ({minBatch})";
        throw new ZeroGymException(ErrorCodes.InvalidArgument,
            $"recv answers with {needs} sub-envs, but only {Math.Max(Unclaimed, 0)} sent ones are not already awaited by an earlier recv; send actions to more sub-envs first");
    }

    /// <summary>Throws what the server would answer to a synchronous <c>step</c> while sub-envs are in flight or failed.</summary>
    public void CheckStep(long handle)
    {
        if (InFlight > 0)
        {
            throw new ZeroGymException(ErrorCodes.InvalidArgument,
                $"step needs every sub-env's result received; {InFlight} sub-envs of env {handle} are in flight (sent by send or async_reset): recv them first");
        }

        if (FailedCount > 0)
        {
            throw new ZeroGymException(ErrorCodes.ResetNeeded, $"sub-env {Array.IndexOf(states, SubEnvState.Failed)} of env {handle} failed; reset makes it anew");
        }
    }

    /// <summary>
    /// A batch was received for a <c>recv</c> posted with <paramref name="minBatch"/>: its results and errors (together
    /// <paramref name="minBatch"/> to <see cref="BatchSize"/> distinct sub-envs in flight, else the reply is broken and
    /// nothing changes) become idle, or failed for a sub-env the server no longer steps.
    /// </summary>
    public void Received(IReadOnlyList<int> envIds, IReadOnlyList<SubEnvFailure> errors, int minBatch)
    {
        int count = envIds.Count + errors.Count;
        if (count < minBatch || count > BatchSize)
        {
            string expected = minBatch == BatchSize ? $"{BatchSize} sub-envs (batch_size)" : $"{minBatch} (min_batch) to {BatchSize} (batch_size) sub-envs";
            throw BrokenBatch($"{expected}, results and errors together; found {envIds.Count} results and {errors.Count} errors");
        }

        // Checked before anything changes; plain loops, as this runs for every batch received.
        var seen = new bool[states.Length];
        for (int k = 0; k < envIds.Count; k++) See(envIds[k], seen);
        for (int k = 0; k < errors.Count; k++) See(errors[k].EnvId, seen);

        for (int k = 0; k < envIds.Count; k++) states[envIds[k]] = SubEnvState.Idle;
        // invalid_action leaves the sub-env as it was (SPEC.md §3.4). Any other error may have lost it (env_failure
        // always does; an argument error does unless a worker process reported it), so it takes no action until a reset.
        foreach (var error in errors) states[error.EnvId] = error.Code == ErrorCodes.InvalidAction ? SubEnvState.Idle : SubEnvState.Failed;
        InFlight -= count;
        PostedRecvs--;
    }

    private void See(int envId, bool[] seen)
    {
        if (envId < 0 || envId >= states.Length || seen[envId] || states[envId] != SubEnvState.InFlight)
        {
            throw BrokenBatch($"distinct sub-envs in flight; found sub-env {envId}{(envId >= 0 && envId < states.Length && seen[envId] ? " twice" : "")}");
        }

        seen[envId] = true;
    }

    private static ZeroGymException BrokenBatch(string expected) =>
        new(ZeroGymClient.BadReply, $"the server's batch must hold {expected}");
}
