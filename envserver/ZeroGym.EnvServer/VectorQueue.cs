using ZeroGym.Envs.Core;
using ZeroGym.Envs.Vector;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer;

/// <summary>Where one sub-env of a vector env is in SPEC.md §3.4.</summary>
internal enum SubEnvState
{
    /// <summary>Its last result was received (or it was never sent to): it may be sent an action.</summary>
    Idle,

    /// <summary>Sent to, its result not yet received: queued, stepping or finished.</summary>
    InFlight,

    /// <summary>Its env failed: it takes no action until a reset makes it anew.</summary>
    Failed,
}

/// <summary>One finished sub-env: its result, or the error it gets instead (then <see cref="Result"/> holds only its index).</summary>
internal readonly record struct FinishedSubEnv(SubEnvResult Result, string? ErrorCode, string? ErrorMessage)
{
    public int EnvId => Result.EnvId;
}

/// <summary>
/// A reply that cannot go out yet: that of a <c>recv</c> whose batch is not finished (<see cref="Payload"/> null until
/// it is), or a later reply of the same client, which waits behind it (SPEC.md §1: replies keep the order of requests).
/// </summary>
internal sealed class HeldReply(ulong requestId, byte[]? payload = null)
{
    /// <summary>The id of the request it answers (set when a deferred request is read).</summary>
    public ulong RequestId { get; set; } = requestId;

    /// <summary>The reply's bytes; null while the batch of a <c>recv</c> is being made.</summary>
    public byte[]? Payload { get; set; } = payload;
}

/// <summary>
/// The asynchronous side of one vector env (SPEC.md §3.4): the state of each sub-env, the work sent but not started
/// (in the order it was sent), the results finished but not yet received, and the <c>recv</c>s waiting for a batch.
/// It decides nothing about the wire: <see cref="RequestHandler"/> reads requests into it and writes batches out of it.
/// Only the server's loop thread uses it; work handed to the <see cref="VectorWorkRunner"/> comes back through the loop.
/// </summary>
internal sealed class VectorQueue(SyncVectorEnv vector, int batchSize)
{
    private readonly SubEnvState[] states = new SubEnvState[vector.NumEnvs];
    private readonly Queue<SubEnvWork> queued = new();
    private readonly Queue<FinishedSubEnv> finished = new();
    private readonly Queue<WaitingRecv> waiting = new();
    private readonly Dictionary<int, Space> batchedActionSpaces = [];
    private readonly List<FinishedSubEnv> taken = [];
    private readonly List<int> runIds = [];
    private readonly List<object> runActions = [];
    private readonly List<long?> runSeeds = [];
    private Func<int, Exception, (string Code, string Message, bool Lost)>? failedRun;
    private Action<SubEnvResult>? finishRun;

    /// <summary>Every <c>recv</c> answers with this many sub-envs.</summary>
    public int BatchSize { get; } = batchSize;

    /// <summary>Sub-envs sent to whose results have not been received.</summary>
    public int InFlight { get; private set; }

    /// <summary>Sub-envs that failed and wait for a reset.</summary>
    public int FailedCount { get; private set; }

    /// <summary>Whether the server's turn-taking list holds this vector env (kept by <see cref="RequestHandler"/>).</summary>
    public bool Scheduled { get; set; }

    /// <summary>Where the sub-envs step when they step on worker threads (SPEC.md §3.4: expensive ones); null until then.</summary>
    public WorkLane? Lane { get; set; }

    /// <summary>Whether some sent work has not started yet (nor been handed to the worker threads).</summary>
    public bool HasQueuedWork => queued.Count > 0;

    /// <summary>The sub-envs in flight not already promised to a waiting <c>recv</c> (each is promised its minimum).</summary>
    public int Unclaimed => InFlight - claimed;

    /// <summary>How many more results the oldest waiting <c>recv</c> needs for its batch; <see cref="int.MaxValue"/> when none waits.</summary>
    public int MissingForWaitingRecv => waiting.TryPeek(out var oldest) ? oldest.MinBatch - finished.Count : int.MaxValue;

    // The sum of the minimums of the waiting recvs: what they take from the sub-envs in flight whatever the timing.
    private int claimed;

    public SubEnvState StateOf(int envId) => states[envId];

    /// <summary>The space of <paramref name="count"/> batched actions, kept: a client sends the same count again and again.</summary>
    public Space BatchedActionSpace(int count)
    {
        if (!batchedActionSpaces.TryGetValue(count, out var space))
        {
            if (batchedActionSpaces.Count > 64) batchedActionSpaces.Clear();
            batchedActionSpaces[count] = space = Batching.BatchSpace(vector.SingleActionSpace, count);
        }

        return space;
    }

    /// <summary>Queues a step of sub-env <paramref name="envId"/> (checked idle by the caller) with its action, sent by request <paramref name="requestId"/>.</summary>
    public void QueueStep(int envId, object action, ulong requestId)
    {
        queued.Enqueue(new SubEnvWork(envId, action, Seed: null, Options: null, requestId));
        MarkInFlight(envId);
    }

    /// <summary>Gives sub-env <paramref name="envId"/> an error as its result, at once; it stays as it was.</summary>
    public void QueueRejection(int envId, string code, string message)
    {
        finished.Enqueue(new FinishedSubEnv(new SubEnvResult(envId, null, 0, false, false, null, null), code, message));
        MarkInFlight(envId);
    }

    /// <summary>Queues the reset of every sub-env (after <see cref="DropUnreceived"/>), sub-env i with <paramref name="seeds"/>[i].</summary>
    public void QueueResetOfAll(IReadOnlyList<long?> seeds, IReadOnlyDictionary<string, object?>? options, ulong requestId)
    {
        for (int i = 0; i < states.Length; i++)
        {
            queued.Enqueue(new SubEnvWork(i, null, seeds[i], options, requestId));
            MarkInFlight(i);
        }
    }

    /// <summary>Whether a <c>recv</c> needing <paramref name="minBatch"/> results could be answered right now (no earlier one waits, and that many are finished).</summary>
    public bool BatchReady(int minBatch) => waiting.Count == 0 && finished.Count >= minBatch;

    /// <summary>Adds a waiting <c>recv</c> answered once <paramref name="minBatch"/> results are ready; the caller checked that <see cref="Unclaimed"/> covers it.</summary>
    public void Wait(HeldReply recv, int minBatch)
    {
        waiting.Enqueue(new WaitingRecv(recv, minBatch));
        claimed += minBatch;
    }

    /// <summary>
    /// Starts the oldest queued work: on one thread, that of the oldest request (a send's steps or an async reset's
    /// resets); over the cores, one batch. Either way a waiting <c>recv</c> is answered as soon as its batch is done:
    /// stepping the next send's sub-envs first would send both replies together, and a client keeping two batches in
    /// flight would then wait for both every time.
    /// <paramref name="failed"/> turns a sub-env's exception into its error, and says whether the sub-env is lost.
    /// </summary>
    public void RunQueuedWork(Func<int, Exception, (string Code, string Message, bool Lost)> failed)
    {
        if (queued.Count == 0) return;
        bool resets = queued.Peek().Action is null;
        int limit = vector.SteppingInParallel ? BatchSize : int.MaxValue;
        ulong request = queued.Peek().RequestId;
        // Kept between turns (this runs on the loop thread, and the vector env is done with them when it returns).
        runIds.Clear();
        runActions.Clear();
        runSeeds.Clear();
        // Queued resets all come from one async_reset (it runs what was queued before it first): one set of options.
        var options = queued.Peek().Options;
        while (queued.Count > 0 && runIds.Count < limit && queued.Peek().RequestId == request)
        {
            var work = queued.Dequeue();
            runIds.Add(work.EnvId);
            if (resets) runSeeds.Add(work.Seed);
            else runActions.Add(work.Action!);
        }

        failedRun = failed;
        finishRun ??= result => Finish(result, result.Failure is null ? null : failedRun!(result.EnvId, result.Failure));
        try
        {
            if (resets) vector.ResetSome(runIds, runSeeds, options, finishRun);
            else vector.StepSome(runIds, runActions, finishRun);
        }
        finally
        {
            failedRun = null;
            runActions.Clear(); // the actions are the client's: not kept alive past the turn
        }
    }

    /// <summary>Takes the queued work out, oldest first, to run elsewhere (on worker threads); its sub-envs stay in flight.</summary>
    public IEnumerable<SubEnvWork> TakeQueuedWork()
    {
        while (queued.TryDequeue(out var work)) yield return work;
    }

    /// <summary>
    /// A sub-env's work finished: its result joins those a <c>recv</c> takes, or with <paramref name="failure"/> (what
    /// its exception means) the error it gets instead, a lost sub-env failing until a reset makes it anew.
    /// </summary>
    public void Finish(SubEnvResult result, (string Code, string Message, bool Lost)? failure)
    {
        if (failure is not { } error)
        {
            finished.Enqueue(new FinishedSubEnv(result, null, null));
            return;
        }

        var (code, message, lost) = error;

        if (lost && states[result.EnvId] != SubEnvState.Failed)
        {
            states[result.EnvId] = SubEnvState.Failed;
            FailedCount++;
        }

        finished.Enqueue(new FinishedSubEnv(result, code, message));
    }

    /// <summary>
    /// The oldest waiting <c>recv</c> and its batch, once at least its minimum is finished; the batch's sub-envs become
    /// idle. The batch holds every finished result up to <see cref="BatchSize"/>, except those the later waiting recvs
    /// need: the sub-envs in flight must still cover their minimums, or they could never be answered.
    /// </summary>
    public (HeldReply Recv, List<FinishedSubEnv> Batch)? TakeAnsweredRecv()
    {
        if (!waiting.TryPeek(out var oldest) || finished.Count < oldest.MinBatch) return null;
        int neededLater = claimed - oldest.MinBatch;
        int count = Math.Min(Math.Min(BatchSize, finished.Count), InFlight - neededLater);
        waiting.Dequeue();
        claimed -= oldest.MinBatch;
        return (oldest.Reply, TakeBatch(count));
    }

    /// <summary>The results a <c>recv</c> that no earlier one waits ahead of takes now: every finished one, up to <see cref="BatchSize"/>.</summary>
    public List<FinishedSubEnv> TakeReadyBatch() => TakeBatch(Math.Min(BatchSize, finished.Count));

    /// <summary>
    /// The first <paramref name="count"/> finished sub-envs, received now: they become idle (failed ones stay failed).
    /// The list is this queue's, reused by the next take: the caller writes the batch out before taking another.
    /// </summary>
    private List<FinishedSubEnv> TakeBatch(int count)
    {
        var batch = taken;
        batch.Clear();
        for (int k = 0; k < count; k++)
        {
            var item = finished.Dequeue();
            if (states[item.EnvId] == SubEnvState.InFlight) states[item.EnvId] = SubEnvState.Idle;
            InFlight--;
            batch.Add(item);
        }

        return batch;
    }

    /// <summary>Drops the results finished but not received (no <c>recv</c> waits for them): every sub-env not failed is idle.</summary>
    public void DropUnreceived()
    {
        if (waiting.Count > 0 || queued.Count > 0 || Lane?.Outstanding > 0)
        {
            throw new InvalidOperationException("DropUnreceived needs the queue run, the worker threads' results taken and the waiting recvs answered first");
        }

        finished.Clear();
        InFlight = 0;
        for (int i = 0; i < states.Length; i++)
        {
            if (states[i] == SubEnvState.InFlight) states[i] = SubEnvState.Idle;
        }
    }

    /// <summary>The failed sub-envs, to be made anew by a reset.</summary>
    public IEnumerable<int> FailedSubEnvs() => Enumerable.Range(0, states.Length).Where(i => states[i] == SubEnvState.Failed);

    /// <summary>A failed sub-env was made anew: it is idle again.</summary>
    public void Revived(int envId)
    {
        states[envId] = SubEnvState.Idle;
        FailedCount--;
    }

    private void MarkInFlight(int envId)
    {
        states[envId] = SubEnvState.InFlight;
        InFlight++;
    }

}

/// <summary>A <c>recv</c> waiting for its batch: its held reply, and how many results it needs before it is answered.</summary>
internal readonly record struct WaitingRecv(HeldReply Reply, int MinBatch);

/// <summary>One sub-env's work sent but not started: a step with <see cref="Action"/>, or a reset (Action null), and the request that sent it.</summary>
internal readonly record struct SubEnvWork(int EnvId, object? Action, long? Seed, IReadOnlyDictionary<string, object?>? Options, ulong RequestId)
{
    /// <summary>Runs it on its sub-env of <paramref name="vector"/>, on whichever thread holds that sub-env now.</summary>
    public SubEnvResult Run(SyncVectorEnv vector) => Action is null ? vector.ResetSubEnv(EnvId, Seed, Options) : vector.StepSubEnv(EnvId, Action);
}
