using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ZeroGym.Arrays;
using ZeroGym.Envs.Vector;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer;

/// <summary>The requests of asynchronous vector envs (SPEC.md §3.4) and the work they queue: see the class's remarks.</summary>
public sealed partial class RequestHandler
{
    /// <summary>
    /// Runs one vector env's oldest queued work (SPEC.md §3.4; vector envs take turns) and answers the <c>recv</c>s it
    /// completes; their replies come out of <see cref="FlushHeldReplies"/>.
    /// </summary>
    public void RunQueuedWork()
    {
        // HasQueuedWork drops the turns of vector envs closed or emptied since: the one left at the head runs.
        if (!HasQueuedWork) return;
        var (client, session) = busy.Dequeue();
        session.Queue!.Scheduled = false;
        session.Queue.RunQueuedWork((envId, failure) => clients.SubEnvFailed(client, session, envId, failure));
        AnswerWaitingRecvs(client, session);
        // The rest may go to the worker threads now (its first steps timed the sub-envs as expensive): a waiting
        // recv then needs their signal.
        Schedule(client, session);
        WakeForWaitingRecv(session.Queue);
    }

    /// <summary>
    /// Takes the results the worker threads finished and answers the <c>recv</c>s they complete (their replies come out
    /// of <see cref="FlushHeldReplies"/>); called when the runner signals, and before a <c>recv</c> looks for its batch.
    /// </summary>
    public void CollectFinishedWork()
    {
        if (workers is not { Outstanding: > 0 }) return;
        foreach (var (lane, result) in workers.TakeFinished())
        {
            var failure = result.Failure is null ? default((string, string, bool)?) : clients.SubEnvFailed(lane.Client, lane.Session, result.EnvId, result.Failure);
            lane.Session.Queue!.Finish(result, failure);
            lanesFinished.Add(lane);
        }

        foreach (var lane in lanesFinished)
        {
            AnswerWaitingRecvs(lane.Client, lane.Session);
            if (lane.Outstanding == 0 && lane.Client.CallInFlight?.Lane == lane) clientsToResume.Add(lane.Client);
            else WakeForWaitingRecv(lane.Session.Queue!);
        }

        lanesFinished.Clear();
    }


    private void AsyncReset(ClientSession client, AsyncResetRequest request)
    {
        var session = clients.Find(client, request.Handle);
        var queue = AsyncQueueOf(session, Ops.AsyncReset);
        var seeds = session.ReadVectorSeeds(request.Seed);
        if (request.Options?.ContainsKey(EnvSession.ResetMaskKey) == true)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, "async_reset resets every sub-env; reset_mask is an option of reset");
        }

        int minBatch = ReadMinBatch(queue, request.MinBatch);
        if (WaitingForSubEnvs(client, session)) return;
        PrepareVectorReset(client, session);
        // Failed sub-envs are made anew first, off the loop for envs in worker processes (a process may start).
        CallEnv(client, session, Ops.AsyncReset, request.Id, () =>
        {
            session.RemakeFailedSubEnvs();
            return true;
        }, _ =>
        {
            queue.QueueResetOfAll(seeds, request.Options, request.Id);
            session.State = EpisodeState.Running;
            Schedule(client, session);
            Accepted(client, session, request, minBatch);
        });
    }

    private void Send(ClientSession client, SendRequest request)
    {
        var session = clients.Find(client, request.Handle);
        var queue = AsyncQueueOf(session, Ops.Send);
        session.EnsureCanStep();
        int[] envIds = session.ReadSubEnvIds(request.EnvId);
        int minBatch = ReadMinBatch(queue, request.MinBatch);
        if (request.Recv) EnsureRecvCanBeAnswered(queue, queue.Unclaimed + envIds.Length, minBatch);
        var actions = session.ReadSubEnvActions(request.Action, envIds.Length);
        var single = session.Vector!.SingleActionSpace;
        // A client that waits for this batch, of sub-envs stepped on this thread, while no work waits for its turn: they
        // step now, as a synchronous step would, and the batch is this request's own reply (no held copy, no further turn
        // of the loop before it goes out). Otherwise the work takes its turn with the other vector envs'.
        bool stepNow = request.Recv && !queue.HasQueuedWork && !HasQueuedWork && !session.CallsMayBlock && !StepsOnWorkers(session);
        for (int k = 0; k < envIds.Length; k++)
        {
            if (session.Vector.AutoresetMode == AutoresetMode.Disabled && session.Vector.HasEnded(envIds[k]))
            {
                queue.QueueRejection(envIds[k], ErrorCodes.ResetNeeded, session.EndedMessage(envIds[k]));
            }
            else if (single.Contains(actions[k]))
            {
                queue.QueueStep(envIds[k], actions[k], request.Id);
            }
            else
            {
                string message = $"action {Space.Describe(actions[k])} of sub-env {envIds[k]} is not in the action space {single}";
                log.Warn("request_error", ("client", client.Id), ("op", Ops.Send), ("handle", session.Handle), ("request", request.Id), ("sub_env", envIds[k]),
                    ("code", ErrorCodes.InvalidAction), ("message", message));
                queue.QueueRejection(envIds[k], ErrorCodes.InvalidAction, message);
            }
        }

        subEnvSteps += envIds.Length;
        if (stepNow)
        {
            queue.RunQueuedWork((envId, failure) => clients.SubEnvFailed(client, session, envId, failure));
            AnswerWaitingRecvs(client, session);
        }

        Schedule(client, session);
        Accepted(client, session, request, minBatch);
    }

    /// <summary>
    /// Hands the queued work of a vector env to the worker threads when its sub-envs are expensive or in worker processes (and the handler has
    /// workers), else gives it its turn in <see cref="RunQueuedWork"/>, once.
    /// </summary>
    private void Schedule(ClientSession client, EnvSession session)
    {
        var queue = session.Queue!;
        if (!queue.HasQueuedWork) return;
        // Sub-envs in worker processes go to the workers however quick they were so far: one may hang.
        if (StepsOnWorkers(session))
        {
            var lane = queue.Lane ??= workers.AddLane(client, session);
            workers.Post(lane, queue.TakeQueuedWork());
            return;
        }

        if (queue.Scheduled) return;
        queue.Scheduled = true;
        busy.Enqueue((client, session));
    }

    /// <summary>Whether a vector env's sub-envs step on the worker threads: expensive ones, or ones in worker processes (a call may hang).</summary>
    [MemberNotNullWhen(true, nameof(workers))]
    private bool StepsOnWorkers(EnvSession session) => workers is not null && (session.Vector!.SteppingInParallel || session.CallsMayBlock);

    /// <summary>
    /// Asks the worker threads to signal once the oldest waiting <c>recv</c> of the vector env can be answered, or,
    /// sooner, once all its work finished when a request of its client waits for that.
    /// </summary>
    private void WakeForWaitingRecv(VectorQueue queue)
    {
        if (queue.Lane is not { } lane) return;
        int count = queue.MissingForWaitingRecv;
        if (lane.Client.CallInFlight?.Lane == lane) count = Math.Min(count, lane.Outstanding);
        workers!.WakeWhenFinished(lane, count);
    }

    private void Recv(ClientSession client, RecvRequest request)
    {
        var session = clients.Find(client, request.Handle);
        var queue = AsyncQueueOf(session, Ops.Recv);
        Recv(client, session, request.Id, ReadMinBatch(queue, request.MinBatch));
    }

    /// <summary>
    /// Answers a recv now when at least <paramref name="minBatch"/> results are finished (with every finished one up to
    /// the batch size), or holds its reply until they are.
    /// </summary>
    private void Recv(ClientSession client, EnvSession session, ulong requestId, int minBatch)
    {
        var queue = session.Queue!;
        if (queue.Lane is not null) CollectFinishedWork();
        if (queue.BatchReady(minBatch))
        {
            WriteBatch(requestId, session, queue.TakeReadyBatch());
            return;
        }

        EnsureRecvCanBeAnswered(queue, queue.Unclaimed, minBatch);
        queue.Wait(HoldReply(client, requestId), minBatch);
        WakeForWaitingRecv(queue);
    }

    private void Accepted(ClientSession client, EnvSession session, AsyncRequest request, int minBatch)
    {
        if (request.Recv) Recv(client, session, request.Id, minBatch);
        else Write(AcceptedReply.Shape, new AcceptedReply { Id = request.Id });
    }

    private static VectorQueue AsyncQueueOf(EnvSession session, string op) => session.Queue
        ?? throw new RequestError(ErrorCodes.InvalidArgument, $"'{op}' is for vector envs; env {session.Handle} is a single env (make it with num_envs)");

    /// <summary>A request's <c>min_batch</c> (SPEC.md §3.4, protocol 1.3): 1 to the batch size; absent, the batch size.</summary>
    private static int ReadMinBatch(VectorQueue queue, long? minBatch) => minBatch switch
    {
        null => queue.BatchSize,
        long value when value >= 1 && value <= queue.BatchSize => (int)value,
        long value => throw new RequestError(ErrorCodes.InvalidArgument, $"min_batch must be between 1 and batch_size ({queue.BatchSize}); got {value}"),
    };

    private static void EnsureRecvCanBeAnswered(VectorQueue queue, int unclaimed, int minBatch)
    {
        if (unclaimed >= minBatch) return;
        string needs = minBatch == queue.BatchSize ? $"batch_size ({queue.BatchSize})" : $"at least min_batch ({minBatch})";
        throw new RequestError(ErrorCodes.InvalidArgument,
            $"recv answers with {needs} sub-envs, but only {Math.Max(unclaimed, 0)} sent ones are not already awaited by an earlier recv; send actions to more sub-envs first");
    }

    /// <summary>Before a reset of a vector env: its work in flight is finished, waiting recvs answered, the rest dropped.</summary>
    private void PrepareVectorReset(ClientSession client, EnvSession session)
    {
        RunAllQueuedWork(client, session);
        session.Queue!.DropUnreceived();
    }

    /// <summary>
    /// Runs a vector env's queued work to the end, and waits for what its sub-envs run on the worker threads (a request
    /// that must see it done comes next: the loop serves nobody meanwhile), and answers its recvs.
    /// </summary>
    private void RunAllQueuedWork(ClientSession client, EnvSession session)
    {
        if (session.Queue is not { } queue) return;
        while (queue.HasQueuedWork)
        {
            queue.RunQueuedWork((envId, failure) => clients.SubEnvFailed(client, session, envId, failure));
            AnswerWaitingRecvs(client, session);
        }

        if (queue.Lane is { Outstanding: > 0 } lane)
        {
            workers!.Drain(lane);
            CollectFinishedWork();
        }
    }

    private void AnswerWaitingRecvs(ClientSession client, EnvSession session)
    {
        while (session.Queue!.TakeAnsweredRecv() is var (held, batch))
        {
            WriteBatch(held.RequestId, session, batch);
            held.Payload = replyBuffer.WrittenSpan.ToArray();
            holding.Add(client);
        }
    }

    private void WriteBatch(ulong requestId, EnvSession session, List<FinishedSubEnv> batch)
    {
        // The successful results gathered in a buffer kept between batches: a batch is written at every recv.
        if (batchResults.Length < batch.Count) batchResults = new SubEnvResult[Math.Max(batch.Count, 2 * batchResults.Length)];
        int count = 0;
        List<SubEnvError>? errors = null;
        foreach (ref readonly var item in CollectionsMarshal.AsSpan(batch))
        {
            if (item.ErrorCode is null) batchResults[count++] = item.Result;
            else (errors ??= []).Add(new SubEnvError { EnvId = item.EnvId, Code = item.ErrorCode, Message = item.ErrorMessage! });
        }

        var results = batchResults.AsSpan(0, count);
        var envIds = new long[count];
        for (int k = 0; k < count; k++) envIds[k] = results[k].EnvId;
        var batched = SubEnvResult.Batch(session.Vector!.SingleObservationSpace, results);
        results.Clear(); // the observations are the reply's: not kept alive past it
        // Shapes given: NDArray.From makes a 0-d array of one value, and a batch of one is still (1,) (SPEC.md §3.4).
        Write(BatchReply.Shape, new BatchReply
        {
            Id = requestId,
            EnvId = Column(envIds),
            Obs = batched.Observations,
            Reward = Column(batched.Rewards),
            Terminated = Column(batched.Terminated),
            Truncated = Column(batched.Truncated),
            Info = batched.Info,
            Errors = errors,
        });
    }
}
