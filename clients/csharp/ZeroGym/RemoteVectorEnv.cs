using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym;

/// <summary>
/// N copies of an env on a ZeroGym server, as Gymnasium's <c>VectorEnv</c>: batched observations, per-env rewards and
/// flags, next-step autoreset and <c>seed + i</c> seeding (SPEC.md §2.3). <see cref="Step(object)"/> steps all N in one
/// round trip. The asynchronous calls (SPEC.md §3.4, EnvPool's <c>async_reset</c>/<c>send</c>/<c>recv</c>) keep sub-envs
/// working while the caller computes: <see cref="AsyncReset"/>, then <see cref="Receive()"/> the first
/// <see cref="BatchSize"/> results and <see cref="Send"/> their next actions, again and again.
/// </summary>
/// <remarks>
/// Sends never wait for the server: each one is posted together with the <c>recv</c>s its sub-envs make possible, so a
/// <see cref="Receive()"/> usually finds its batch already arrived. The client keeps each sub-env's state (idle, in
/// flight, failed) and rejects locally, with the server's error code, what the server would reject as a whole. Calls on
/// one vector env take turns; a <see cref="Receive()"/> that waits holds the connection, which envs made on the same
/// <see cref="ZeroGymClient"/> share.
/// </remarks>
/// <example><code>
/// using var envs = RemoteVectorEnv.Make("CartPole-v1", numEnvs: 128, batchSize: 64);
/// envs.AsyncReset(seed: 0);
/// while (training)
/// {
///     var batch = envs.Receive();                      // 64 sub-envs, the first to finish
///     var actions = Policy(batch.Observations);        // the other 64 step meanwhile
///     envs.Send(actions, batch.EnvIds);
/// }
/// </code></example>
/// <remarks>
/// Made with a <see cref="VectorEnvOptions.Placement"/> on a node of a cluster, the sub-envs run on several nodes and
/// this env talks to each directly (see <see cref="Nodes"/> and <see cref="NodeLost"/>); every call means the same.
/// </remarks>
public sealed class RemoteVectorEnv : IDisposable
{
    private readonly RemoteHandle remote;
    private readonly Lock gate = new();
    private readonly SubEnvTracker tracker;
    // Whether sends and async resets post the recvs their sub-envs make possible (false for one node's part of a
    // vector env spanning nodes, whose sends carry a recv of min_batch 1 instead: SendWithFirstResults).
    private readonly bool recvsAhead = true;
    // Not null when the sub-envs span several nodes: every call goes there.
    private readonly SpanningVectorEnv? spanning;

    // This env's requests posted and not yet received, in request order: sends and async resets, each with a recv or
    // not, and recvs alone. Each reply is read in that order; replies without a batch (MinBatch 0) only say the request
    // was taken, a batch holds MinBatch to BatchSize results.
    private readonly Queue<(PendingReply Reply, int MinBatch)> posted = new();

    // A posted request the server rejected as a whole: the sub-envs' states are unknown until a reset.
    private ZeroGymException? desynchronized;

    internal RemoteVectorEnv(ZeroGymClient client, bool ownsClient, MakeArguments arguments, bool recvsAhead = true)
    {
        this.recvsAhead = recvsAhead;
        NumEnvs = arguments.NumEnvs ?? throw new ArgumentException("a vector env needs num_envs");
        if (arguments.BatchSize is int requested && (requested < 1 || requested > NumEnvs))
        {
            if (ownsClient) client.Dispose();
            throw new ArgumentOutOfRangeException(nameof(arguments), $"batch_size must be between 1 and num_envs ({NumEnvs}); got {requested}");
        }

        remote = new RemoteHandle(client, ownsClient, arguments);
        tracker = new SubEnvTracker(NumEnvs, BatchSize);
    }

    /// <summary>A vector env whose sub-envs the cluster <paramref name="client"/> is a node of places over its nodes.</summary>
    internal RemoteVectorEnv(ZeroGymClient client, bool ownsClient, string envId, int numEnvs, VectorEnvOptions options)
    {
        NumEnvs = numEnvs;
        spanning = new SpanningVectorEnv(client, ownsClient, envId, numEnvs, options);
        remote = null!;
        tracker = null!;
    }

    /// <summary>
    /// Makes a vector env as <see cref="ZeroGymClient.MakeVec(string, int, VectorEnvOptions)"/> does, on a connection of
    /// its own to <paramref name="address"/> (with a placement: a node of a cluster, which places the sub-envs).
    /// </summary>
    public static RemoteVectorEnv Make(string envId, int numEnvs, VectorEnvOptions vectorOptions, string address = ZeroGymClient.DefaultAddress, ClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vectorOptions);
        // Either way the env owns the connection, and closes it when making fails.
        var client = new ZeroGymClient(address, options);
        return vectorOptions.Placement is null
            ? new RemoteVectorEnv(client, ownsClient: true, new MakeArguments(envId, vectorOptions.Kwargs, vectorOptions.RenderMode, numEnvs, vectorOptions.BatchSize))
            : new RemoteVectorEnv(client, ownsClient: true, envId, numEnvs, vectorOptions);
    }

    /// <summary>The endpoint of the node each sub-env runs on (the server's address for all when made without a placement).</summary>
    public IReadOnlyList<string> Nodes => spanning?.Nodes ?? Enumerable.Repeat(remote.Client.Address, NumEnvs).ToList();

    /// <summary>
    /// Raised when a node running some of the sub-envs stopped answering (sub-envs spanning nodes only), before the
    /// call that noticed returns (<see cref="NodeLossPolicy.Recreate"/>) or throws <see cref="NodeLostException"/>.
    /// </summary>
    public event Action<NodeLoss>? NodeLost
    {
        add
        {
            if (spanning is not null) spanning.NodeLost += value;
        }
        remove
        {
            if (spanning is not null) spanning.NodeLost -= value;
        }
    }

    /// <summary>
    /// Connects to <paramref name="address"/> and makes a vector env on its own connection; <paramref name="batchSize"/>
    /// (1 to <paramref name="numEnvs"/>, default all) is how many results <see cref="Receive()"/> gives.
    /// </summary>
    public static RemoteVectorEnv Make(
        string envId,
        int numEnvs,
        string address = ZeroGymClient.DefaultAddress,
        IReadOnlyDictionary<string, object?>? kwargs = null,
        string? renderMode = null,
        ClientOptions? options = null,
        int? batchSize = null) =>
        new RemoteVectorEnv(new ZeroGymClient(address, options), ownsClient: true, new MakeArguments(envId, kwargs, renderMode, numEnvs, batchSize));

    public int NumEnvs { get; }

    /// <summary>How many sub-envs each <see cref="Receive()"/> gives (SPEC.md §3.4): <see cref="NumEnvs"/> unless made with fewer.</summary>
    public int BatchSize => spanning?.BatchSize ?? remote.BatchSize ?? NumEnvs;

    /// <summary>The server's handle of this env (spanning nodes: of the part that holds sub-env 0).</summary>
    public long Handle => spanning?.First.Handle ?? remote.Handle;

    /// <summary>The space of one sub-env's observations.</summary>
    public Space SingleObservationSpace => spanning?.First.SingleObservationSpace ?? remote.ObservationSpace;

    /// <summary>The space of one sub-env's actions.</summary>
    public Space SingleActionSpace => spanning?.First.SingleActionSpace ?? remote.ActionSpace;

    public EnvSpecInfo Spec => spanning?.First.Spec ?? remote.Spec;

    public string? RenderMode => spanning is null ? remote.RenderMode : spanning.First.RenderMode;

    /// <summary>
    /// Resets every sub-env; with a seed s, sub-env i gets s + i. Results still in flight are dropped (the server
    /// finishes them first). If the server lost this env, it is made again first.
    /// </summary>
    public VectorResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        if (spanning is not null) return spanning.Reset(seed, options);
        lock (gate)
        {
            DropPosted();
            ResetReply reply;
            try
            {
                reply = remote.Reset(seed, options);
            }
            catch (ZeroGymException error)
            {
                Desynchronize(error);
                throw;
            }

            tracker.ResetAll(inFlight: false);
            desynchronized = null;
            return new VectorResetResult(reply.Obs, reply.Info);
        }
    }

    /// <summary>
    /// Steps every sub-env in one round trip; <paramref name="actions"/> is batched (e.g. an int64 NDArray of shape (N,)).
    /// Needs no sub-env in flight (<c>invalid_argument</c>) and none failed (<c>reset_needed</c>).
    /// </summary>
    public VectorStepResult Step(object actions)
    {
        if (spanning is not null) return spanning.Step(actions);
        lock (gate)
        {
            ThrowIfDesynchronized();
            tracker.CheckStep(Handle);
            return StepResult(remote.Step<VectorStepReply>(actions));
        }
    }

    /// <summary>
    /// The first half of <see cref="Step(object)"/>: posts the step of every sub-env without waiting; <see cref="AwaitStep"/>
    /// gives its result. A vector env spanning nodes posts to every node, then waits for each on one thread.
    /// </summary>
    internal PendingReply PostStep(object actions)
    {
        lock (gate)
        {
            ThrowIfDesynchronized();
            tracker.CheckStep(Handle);
            return remote.Post(new StepRequest { Action = actions });
        }
    }

    /// <summary>The second half of <see cref="Step(object)"/>: the result of the step <see cref="PostStep"/> posted.</summary>
    internal VectorStepResult AwaitStep(PendingReply pending)
    {
        lock (gate)
        {
            return StepResult(remote.Await<VectorStepReply>(pending));
        }
    }

    private VectorStepResult StepResult(VectorStepReply reply) => new(
        reply.Obs, Elements<double>(reply.Reward, "reward", NumEnvs), Elements<bool>(reply.Terminated, "terminated", NumEnvs),
        Elements<bool>(reply.Truncated, "truncated", NumEnvs), reply.Info);

    /// <summary>
    /// <see cref="Send"/> then <see cref="Receive()"/>: steps the sub-envs <paramref name="envIds"/> and returns the next
    /// batch of <see cref="BatchSize"/> results (those sub-envs' when nothing else is in flight).
    /// </summary>
    public VectorBatch Step(object actions, IReadOnlyList<int> envIds)
    {
        lock (gate)
        {
            Send(actions, envIds);
            return Receive();
        }
    }

    /// <summary>
    /// Starts a reset of every sub-env (sub-env i seeded with <paramref name="seed"/> + i) and returns at once; each
    /// sub-env's reset observation and info come back from <see cref="Receive()"/>, with reward 0 and both flags false.
    /// Results still in flight are dropped, as by <see cref="Reset"/>.
    /// </summary>
    public void AsyncReset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        if (spanning is not null)
        {
            spanning.AsyncReset(seed, options);
            return;
        }

        lock (gate)
        {
            remote.EnsureCapability(ProtocolConstants.AsyncVectorCapability, "AsyncReset");
            DropPosted();
            desynchronized = null;
            tracker.Forget();
            remote.MakeIfLost();
            // Every sub-env is in flight afterwards, always at least one batch: the reply brings the first.
            Post(new AsyncResetRequest { Seed = seed, Options = options, Recv = recvsAhead }, recvsAhead ? BatchSize : 0);
            tracker.ResetAll(inFlight: true);
            if (!recvsAhead) return;
            tracker.PostedRecv();
            PostRecvsWhileUnclaimed();
        }
    }

    /// <summary>
    /// Sends one action to each sub-env of <paramref name="envIds"/> (distinct, idle: their last results received) and
    /// returns at once; <paramref name="actions"/> is batched in the order of <paramref name="envIds"/> (leading
    /// dimension <c>envIds.Count</c>; for one sub-env a 0-d array is taken as a batch of one). A sub-env whose episode
    /// ended on its last result ignores its action and resets (next-step autoreset). What the server would reject as a
    /// whole is rejected here and changes nothing:
    /// <c>invalid_argument</c> for sub-envs that are missing, out of range, repeated, in flight or failed,
    /// <c>invalid_action</c> for a number of actions that does not match, <c>reset_needed</c> before the first reset.
    /// </summary>
    public void Send(object actions, IReadOnlyList<int> envIds)
    {
        ArgumentNullException.ThrowIfNull(envIds);
        if (spanning is not null)
        {
            spanning.Send(actions, envIds);
            return;
        }

        lock (gate)
        {
            bool withBatch = recvsAhead && tracker.Unclaimed + envIds.Count >= BatchSize;
            PostSend(actions, envIds, withBatch ? BatchSize : 0);
            if (recvsAhead) PostRecvsWhileUnclaimed();
        }
    }

    /// <summary>
    /// As <see cref="Send"/>, for one node's share of a vector env spanning nodes: unless a <c>recv</c> is posted
    /// already, the send carries one with <c>min_batch</c> 1 (SPEC.md §3.4), so the node answers with what it finished
    /// in one message each way, and <see cref="PostReceive"/> finds it posted.
    /// </summary>
    internal void SendWithFirstResults(object actions, IReadOnlyList<int> envIds)
    {
        lock (gate)
        {
            remote.EnsureCapability(ProtocolConstants.RecvMinBatchCapability, "Send", "a server of protocol 1.3 or later has it");
            PostSend(actions, envIds, tracker.PostedRecvs == 0 ? 1 : 0);
        }
    }

    /// <summary>Posts a <c>send</c>; with <paramref name="recvMinBatch"/> above 0 it carries a <c>recv</c> of that <c>min_batch</c>.</summary>
    private void PostSend(object actions, IReadOnlyList<int> envIds, int recvMinBatch)
    {
        remote.EnsureCapability(ProtocolConstants.AsyncVectorCapability, "Send");
        ThrowIfDesynchronized();
        tracker.CheckSend(envIds, Handle);
        // NDArray.From of a one-element array is 0-d: for one sub-env, that is its batch of one.
        if (envIds.Count == 1 && actions is NDArray { Rank: 0 } single) actions = new NDArray(single.DType, [1], single.Data);
        CheckActionCount(actions, envIds.Count);
        var envIdArray = new long[envIds.Count];
        for (int k = 0; k < envIdArray.Length; k++) envIdArray[k] = envIds[k];
        bool withBatch = recvMinBatch > 0;
        var request = new SendRequest
        {
            EnvId = NDArray.From(envIdArray, envIdArray.Length), Action = actions, Recv = withBatch,
            MinBatch = withBatch && recvMinBatch < BatchSize ? recvMinBatch : null,
        };
        Post(request, recvMinBatch);
        tracker.Sent(envIds);
        if (withBatch) tracker.PostedRecv();
    }

    /// <summary>
    /// The results of the first <see cref="BatchSize"/> sub-envs in flight to finish, which become idle. When some of
    /// them failed, throws <see cref="SubEnvException"/> with their errors and the others' results. Needs that many
    /// sub-envs in flight (<c>invalid_argument</c>). With no reply within <see cref="ClientOptions.Timeout"/>, throws
    /// <see cref="ServerTimeoutException"/> and the batch stays pending: the next call gets it.
    /// </summary>
    public VectorBatch Receive() => Receive(BatchSize);

    /// <summary>
    /// The results of the sub-envs in flight that finish first, as soon as at least <paramref name="minBatch"/> (1 to
    /// <see cref="BatchSize"/>) have: every finished result up to <see cref="BatchSize"/> (SPEC.md §3.4, protocol 1.3;
    /// fewer than <see cref="BatchSize"/> needs the server capability <c>recv_min_batch</c>). A <c>recv</c> already
    /// posted ahead by <see cref="Send"/> or <see cref="AsyncReset"/> answers first, with a full batch. Otherwise as
    /// <see cref="Receive()"/>; <c>invalid_argument</c> when fewer than <paramref name="minBatch"/> sub-envs are in flight.
    /// </summary>
    public VectorBatch Receive(int minBatch)
    {
        if (minBatch < 1 || minBatch > BatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBatch), $"minBatch must be between 1 and the batch size ({BatchSize}); got {minBatch}");
        }

        if (spanning is not null) return spanning.Receive(minBatch);
        lock (gate)
        {
            PostRecvUnlessPosted(minBatch);

            // Replies without a batch first: they only confirm sends that were taken, unless the server rejected one.
            while (posted.Peek() is { MinBatch: 0 } accepted)
            {
                TakeReply<AcceptedReply>(accepted.Reply);
                posted.Dequeue();
            }

            var (pending, postedMinBatch) = posted.Peek();
            var reply = TakeReply<BatchReply>(pending);
            posted.Dequeue();
            return ToBatch(reply, postedMinBatch);
        }
    }

    /// <summary>
    /// Posts the <c>recv</c> that <see cref="Receive(int)"/> would wait for, unless one is posted already, and returns
    /// its reply's declaration without waiting. A vector env spanning nodes waits for several nodes' replies at once
    /// (<see cref="PollableSocket"/>, <see cref="ReplyArrived"/>) and takes each with <see cref="Receive(int)"/> once it came.
    /// </summary>
    internal PendingReply PostReceive(int minBatch)
    {
        lock (gate)
        {
            PostRecvUnlessPosted(minBatch);
            return posted.First(request => request.MinBatch != 0).Reply;
        }
    }

    /// <summary>The ZeroMQ socket this env's replies come on, to poll with others' (null on the local stream).</summary>
    internal ZmqSocket? PollableSocket => remote.Client.PollableSocket;

    /// <summary>The descriptor its replies come on when its client is on the local stream (see <see cref="ZeroGymClient.PollableDescriptor"/>).</summary>
    internal int? PollableDescriptor => remote.Client.PollableDescriptor;

    /// <summary>Whether <paramref name="reply"/> came, reading without waiting what arrived (see <see cref="ZeroGymClient.ReplyArrived"/>).</summary>
    internal bool ReplyArrived(PendingReply reply) => remote.Client.ReplyArrived(reply);

    private void PostRecvUnlessPosted(int minBatch)
    {
        remote.EnsureCapability(ProtocolConstants.AsyncVectorCapability, "Receive");

        if (minBatch < BatchSize) remote.EnsureCapability(ProtocolConstants.RecvMinBatchCapability, "Receive(minBatch)", "a server of protocol 1.3 or later has it");
        ThrowIfDesynchronized();
        if (tracker.PostedRecvs > 0) return;
        tracker.CheckRecv(minBatch);
        Post(new RecvRequest { MinBatch = minBatch == BatchSize ? null : minBatch }, minBatch);
        tracker.PostedRecv();
    }

    /// <summary>As <see cref="AsyncReset"/>, which never waits for the server; returns a completed task.</summary>
    public Task AsyncResetAsync(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        AsyncReset(seed, options);
        return Task.CompletedTask;
    }

    /// <summary>As <see cref="Send"/>, which never waits for the server; returns a completed task (a send is posted in call order).</summary>
    public Task SendAsync(object actions, IReadOnlyList<int> envIds)
    {
        Send(actions, envIds);
        return Task.CompletedTask;
    }

    /// <summary><see cref="Receive()"/> on a pool thread, so the caller computes while the batch comes.</summary>
    public Task<VectorBatch> ReceiveAsync() => Task.Run(Receive);

    /// <summary>As <see cref="Step(object, IReadOnlyList{int})"/>: the send is posted at once, the receive runs on a pool thread.</summary>
    public Task<VectorBatch> StepAsync(object actions, IReadOnlyList<int> envIds)
    {
        Send(actions, envIds);
        return ReceiveAsync();
    }

    /// <summary>One frame per sub-env.</summary>
    public IReadOnlyList<NDArray> Render() => spanning?.Render() ?? remote.Render<VectorRenderReply>().Frames;

    public Task<VectorResetResult> ResetAsync(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        Task.Run(() => Reset(seed, options));

    public Task<VectorStepResult> StepAsync(object actions) => Task.Run(() => Step(actions));

    /// <summary>Closes the env on the server (and this env's own connection, if it has one); results in flight are dropped.</summary>
    public void Dispose()
    {
        if (spanning is not null)
        {
            spanning.Dispose();
            return;
        }

        lock (gate)
        {
            DropPosted();
            remote.Dispose();
        }
    }

    /// <summary>Gives up on a server that stopped answering: drops the connection without closing the env there.</summary>
    internal void Abandon()
    {
        lock (gate)
        {
            posted.Clear();
            remote.Abandon();
        }
    }

    private void Post<TRequest>(TRequest request, int minBatch) where TRequest : HandleRequest, IRequest<TRequest>, new()
    {
        try
        {
            posted.Enqueue((remote.Post(request), minBatch));
        }
        catch
        {
            // The connection was reopened (or closed): what was in flight is gone with it.
            Desynchronize(null);
            throw;
        }
    }

    /// <summary>Posts a <c>recv</c> for each batch the sub-envs in flight cover beyond those already awaited, so replies come without being asked for.</summary>
    private void PostRecvsWhileUnclaimed()
    {
        while (tracker.Unclaimed >= BatchSize)
        {
            Post(new RecvRequest(), BatchSize);
            tracker.PostedRecv();
        }
    }

    /// <summary>
    /// The reply to one of this env's posted requests. A timeout leaves it pending on the same connection (SPEC.md
    /// §3.4); an error of the request as a whole leaves the sub-envs' states unknown until a reset.
    /// </summary>
    private TReply TakeReply<TReply>(PendingReply pending) where TReply : class, IMessage<TReply>, new()
    {
        try
        {
            return remote.Await<TReply>(pending, reconnectOnTimeout: false);
        }
        catch (ZeroGymException error)
        {
            Desynchronize(error);
            throw;
        }
    }

    /// <summary>Reads a batch reply, updates the sub-envs' states, and throws <see cref="SubEnvException"/> when some failed.</summary>
    private VectorBatch ToBatch(BatchReply reply, int minBatch)
    {
        var envIds = Elements<long>(reply.EnvId, "env_id", reply.EnvId.Length);
        int count = envIds.Length;
        var batch = new VectorBatch(
            Array.ConvertAll(envIds, envId => envId is >= 0 and < int.MaxValue ? (int)envId : -1),
            reply.Obs, Elements<double>(reply.Reward, "reward", count), Elements<bool>(reply.Terminated, "terminated", count),
            Elements<bool>(reply.Truncated, "truncated", count), reply.Info);
        var errors = reply.Errors is { } wire
            ? wire.Select(error => new SubEnvFailure(error.EnvId is >= 0 and < int.MaxValue ? (int)error.EnvId : -1, error.Code, error.Message)).ToList()
            : [];
        try
        {
            tracker.Received(batch.EnvIds, errors, minBatch);
        }
        catch (ZeroGymException broken)
        {
            Desynchronize(broken);
            throw;
        }

        return errors.Count == 0 ? batch : throw new SubEnvException(errors, batch);
    }

    /// <summary>Drops the replies of this env's posted requests (the server answers them first): before a reset or a close.</summary>
    private void DropPosted()
    {
        foreach (var (pending, _) in posted) remote.Client.Drop(pending);
        posted.Clear();
    }

    /// <summary>After a request of this env was rejected as a whole or lost: what is in flight is unknown, so a reset comes next.</summary>
    private void Desynchronize(ZeroGymException? error)
    {
        DropPosted();
        tracker.Forget();
        desynchronized = error ?? new ZeroGymException(ErrorCodes.ResetNeeded, "the connection was reopened");
    }

    private void ThrowIfDesynchronized()
    {
        if (desynchronized is not { } error) return;
        throw new ZeroGymException(ErrorCodes.ResetNeeded,
            $"an earlier request of env {Handle} failed ({error.Code}: {error.Message}), so which sub-envs are in flight is unknown; Reset or AsyncReset starts anew");
    }

    /// <summary>Rejects, as the server would (<c>invalid_action</c>), a batch of actions whose leading dimension is not <paramref name="count"/>.</summary>
    private void CheckActionCount(object actions, int count)
    {
        // A batch of Dict or Tuple actions is a map or tuple of batches: the server checks those.
        if (SingleActionSpace is DictSpace or TupleSpace) return;
        int? found = LeadingDimension(actions);
        if (found is null || found == count) return;
        throw new ZeroGymException(ErrorCodes.InvalidAction,
            $"invalid actions for {count} sub-envs of {SingleActionSpace}: expected {count} actions, one per listed sub-env, batched along the first dimension; found {found}");
    }

    /// <summary>The number of actions a batch holds, when it can be told without the space (null: the server decides).</summary>
    private static int? LeadingDimension(object? actions) => actions switch
    {
        NDArray array => array.Rank == 0 ? 0 : array.Shape[0],
        System.Collections.IList list => list.Count,
        _ => null,
    };

    /// <summary>One element per entry, of the dtype SPEC.md gives; anything else is a broken reply.</summary>
    private static T[] Elements<T>(NDArray array, string key, int count) where T : unmanaged =>
        array.Rank == 1 && array.Length == count && array.DType == DTypes.Of<T>()
            ? array.ToArray<T>()
            : throw new ZeroGymException(ZeroGymClient.BadReply,
                $"the server's reply must have '{key}' as a {DTypes.Of<T>().Name()} array of {count}; found {array.DType.Name()} {NDArray.FormatShape(array.Shape)}");

    public override string ToString() => spanning?.ToString() ?? $"RemoteVectorEnv({Spec.Id}, {NumEnvs} envs, batch {BatchSize}, handle {Handle}, {remote.Client.Address})";
}
