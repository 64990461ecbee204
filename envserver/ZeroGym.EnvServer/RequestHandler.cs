using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Cluster;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Vector;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer;

/// <summary>
/// Answers requests (SPEC.md §3) for many clients with exactly one reply each: reads the request through its
/// declaration (<see cref="ZeroGym.Protocol.Messages"/>), calls the env and writes the reply's declaration. Who holds
/// which env is <see cref="Clients"/>'s business, the episode state machine <see cref="EnvSession"/>'s. It knows
/// nothing of sockets, so tests and the fuzzer drive it directly. Not thread-safe: the server's loop calls it from one thread.
/// </summary>
/// <remarks>
/// Work that asynchronous vector envs queue (SPEC.md §3.4) runs in one of two ways. Cheap sub-envs (CartPole), and
/// every sub-env of a handler made without worker threads (tests that choose when work runs, in-process benchmarks),
/// run on the loop thread in <see cref="RunQueuedWork"/>, vector envs taking turns; a <c>send</c> whose client waits
/// for its batch (<c>recv: true</c>) while no work waits for its turn runs at once instead, as a synchronous step
/// does. Expensive ones (<see cref="SyncVectorEnv.SteppingInParallel"/>),
/// given a <see cref="VectorWorkRunner"/>, are handed to its worker threads as soon as they are sent, and
/// <see cref="CollectFinishedWork"/> takes their results back when the runner signals.
/// <para>Calls into envs that live in worker processes (<see cref="EnvSession.CallsMayBlock"/>: Python and NES envs)
/// run on threads of their own when the handler is given <see cref="OffLoopCalls"/>. One that outlasts a short grace
/// is left to run: its reply is held, the client's later requests wait (<see cref="ClientSession.Deferred"/>) and the
/// other clients are served meanwhile; <see cref="FinishOffLoopCalls"/> writes the reply and goes on with the
/// client's waiting requests, in order.</para>
/// </remarks>
public sealed partial class RequestHandler : IDisposable
{
    private static readonly string OpList = string.Join(", ", MessageCatalog.Operations.Select(operation => operation.Op));

    // The version as --version prints it (System.CommandLine reads the same attribute), pre-release suffix included.
    private static readonly string ServerVersion =
        typeof(RequestHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly EnvRegistry registry;
    private readonly ServerOptions options;
    private readonly ServerLog log;
    private readonly TimeProvider time;
    private readonly Clients clients;
    private readonly VectorWorkRunner? workers;
    private readonly OffLoopCalls? offLoop;
    private readonly HashSet<WorkLane> lanesFinished = [];
    // Makes are not waited for once one outlasted the grace: a worker process's start mostly does.
    private readonly OffLoopCalls.Pace makePace = new();
    private readonly ArrayBufferWriter<byte> replyBuffer = new(4096);
    private SubEnvResult[] batchResults = [];
    private readonly RequestHeader header = new();
    private long? requestHandle;

    // SPEC.md §3.4: vector envs with work sent but not started, taking turns; clients with replies held behind a recv.
    private readonly Queue<(ClientSession Client, EnvSession Session)> busy = new();
    private readonly HashSet<ClientSession> holding = [];
    private bool replyHeld;
    // While a deferred request is handled: the place in its client's held replies that its reply takes.
    private HeldReply? replySlot;
    // The request being executed, kept by one that must wait for its vector env's sub-envs and then run again.
    private ReadOnlyMemory<byte> currentPayload;
    // Clients whose vector env's work on the worker threads finished while they waited for it: they go on at the loop's next turn.
    private readonly List<ClientSession> clientsToResume = [];

    // The replies of the hot path, filled anew for each step: the loop is single-threaded and each is written at once.
    private readonly StepReply stepReply = new();
    private readonly VectorStepReply vectorStepReply = new();

    // Counted on the loop thread; PublishLoad copies them where another thread (the cluster's report) may read them.
    private long subEnvSteps;
    private NodeLoad load = new(0, 0);

    public RequestHandler(EnvRegistry registry, ServerOptions options, ServerLog log, TimeProvider? time = null)
        : this(registry, options, log, time, workers: null)
    {
    }

    /// <param name="workers">Where expensive sub-envs step, off the loop thread; null steps every sub-env in <see cref="RunQueuedWork"/>.</param>
    /// <param name="offLoop">Where the calls of envs in worker processes run; null calls them on the loop thread.</param>
    internal RequestHandler(EnvRegistry registry, ServerOptions options, ServerLog log, TimeProvider? time, VectorWorkRunner? workers, OffLoopCalls? offLoop = null)
    {
        this.registry = registry;
        this.options = options;
        this.log = log;
        this.time = time ?? TimeProvider.System;
        this.workers = workers;
        this.offLoop = offLoop;
        clients = new Clients(options, log, this.time);
    }

    /// <summary>Every client currently known (one with no envs is forgotten when idle).</summary>
    public int ClientCount => clients.Count;

    /// <summary>The envs open over all clients.</summary>
    public int OpenEnvCount => clients.OpenEnvCount;

    /// <summary>
    /// The cluster this server is a node of (SPEC.md §3.5), or null for a single server. Set before the loop starts;
    /// read on the loop thread only.
    /// </summary>
    public ICluster? Cluster { get; set; }

    /// <summary>
    /// The Unix stream socket this server also serves on (SPEC.md §1.1), announced by <c>hello</c>, or null. Set
    /// before the loop starts.
    /// </summary>
    public string? LocalStreamPath { get; set; }

    /// <summary>The load as of the last <see cref="PublishLoad"/>: safe to read from any thread.</summary>
    public NodeLoad Load => Volatile.Read(ref load);

    /// <summary>Copies the open sub-envs and the steps taken so far into <see cref="Load"/>; call on the loop thread.</summary>
    public void PublishLoad() => Volatile.Write(ref load, new NodeLoad(clients.OpenSubEnvCount, subEnvSteps));

    /// <summary>Whether some vector env has work sent to it that has not started (<see cref="RunQueuedWork"/> does it).</summary>
    public bool HasQueuedWork
    {
        get
        {
            // Vector envs whose work a request already ran (or that were closed) leave their turn empty.
            while (busy.TryPeek(out var next) && !(next.Session.Queue!.HasQueuedWork && clients.Owns(next.Client, next.Session)))
            {
                busy.Dequeue();
                next.Session.Queue.Scheduled = false;
            }

            return busy.Count > 0;
        }
    }

    /// <summary>
    /// Whether sub-envs step on the worker threads, or wait there, with results not yet collected, or env calls run off
    /// the loop thread (then they may signal).
    /// </summary>
    public bool HasWorkOnWorkers => workers?.Outstanding > 0 || offLoop?.Outstanding > 0;

    /// <summary>
    /// Handles one request from <paramref name="clientId"/> and returns the reply payload, valid until the next
    /// call; empty when the reply must wait for a <c>recv</c>'s batch (<see cref="FlushHeldReplies"/> gives it later).
    /// Never throws for anything the request contains.
    /// </summary>
    public ReadOnlyMemory<byte> Handle(string clientId, ReadOnlyMemory<byte> payload)
    {
        var client = clients.Touch(clientId);
        client.MayMoveToLocalStream = false;
        if (client.CallInFlight is not null)
        {
            Defer(client, payload);
            return ReadOnlyMemory<byte>.Empty;
        }

        Execute(client, payload);
        return Reply(client);
    }

    /// <summary>Reads and executes one request; its reply is in the reply buffer unless it was held.</summary>
    private void Execute(ClientSession client, ReadOnlyMemory<byte> payload)
    {
        header.Id = null;
        header.Op = null;
        requestHandle = null;
        replyHeld = false;
        currentPayload = payload;
        try
        {
            if (payload.Length > options.MaxMessageBytes)
            {
                ReadIdOnly(payload);
                throw new RequestError(ErrorCodes.TooLarge, $"the request has {payload.Length} bytes; this server accepts at most {options.MaxMessageBytes}");
            }

            ReadHeader(payload);
            Dispatch(client, payload);
        }
        catch (Exception error)
        {
            WriteFailure(client, error);
        }
    }

    /// <summary>The error reply for what a request's execution threw: the request's own error, or a bug of the server.</summary>
    private void WriteFailure(ClientSession client, Exception error)
    {
        if (error is RequestError requestError)
        {
            WriteError(client, requestError.Code, requestError.Message);
            return;
        }

        log.Error("internal_error", ("client", client.Id), ("op", header.Op), ("request", header.Id), ("exception", error.ToString()));
        WriteError(client, ErrorCodes.Internal, $"the server failed unexpectedly ({error.GetType().Name}: {error.Message}); please report it with the server's log");
    }

    /// <summary>
    /// Keeps a request that came while its client's call runs off the loop thread, with its reply's place in the
    /// client's held replies; beyond <see cref="ServerOptions.MaxOutstandingRequests"/> waiting, it is answered
    /// <c>limit_exceeded</c> in its place instead.
    /// </summary>
    private void Defer(ClientSession client, ReadOnlyMemory<byte> payload)
    {
        var slot = new HeldReply(0);
        client.HeldReplies.Enqueue(slot);
        holding.Add(client);
        if (client.Deferred.Count < options.MaxOutstandingRequests)
        {
            client.Deferred.Enqueue((slot, payload.ToArray()));
            return;
        }

        header.Id = null;
        header.Op = null;
        requestHandle = null;
        ReadIdOnly(payload);
        WriteError(client, ErrorCodes.LimitExceeded,
            $"{client.Deferred.Count} requests already wait behind the client's {client.CallInFlight!.What}; this server keeps at most {options.MaxOutstandingRequests}");
        slot.RequestId = header.Id ?? 0;
        slot.Payload = replyBuffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Takes the outcomes of the env calls that finished off the loop thread: writes each call's reply in its place,
    /// then handles its client's deferred requests until one more goes off the loop (the replies come out of
    /// <see cref="FlushHeldReplies"/>). Loop thread, between requests.
    /// </summary>
    public void FinishOffLoopCalls() => offLoop?.RunFinished();

    /// <summary>
    /// Calls <paramref name="call"/> into <paramref name="session"/>'s env(s) as <see cref="Clients.Run"/> does, and
    /// has <paramref name="answer"/> write the reply from its result. For envs in worker processes (given
    /// <see cref="OffLoopCalls"/>) the call runs on a thread of its own: answered at once when it finishes within the grace,
    /// else left to run with its reply held (and the client's later requests deferred) until it finishes.
    /// </summary>
    private void CallEnv<T>(ClientSession client, EnvSession session, string op, ulong requestId, Func<T> call, Action<T> answer, bool argumentErrors = false)
    {
        if (offLoop is null || !session.CallsMayBlock)
        {
            answer(clients.Run(client, session, op, requestId, call, argumentErrors));
            return;
        }

        RunOffLoop(client, session, session.Spec.Id, session.CallPace, call,
            outcome => answer(clients.Run(client, session, op, requestId, outcome, argumentErrors)));
    }

    /// <summary>
    /// Runs <paramref name="call"/> through <see cref="OffLoopCalls"/> for the request being handled, and has
    /// <paramref name="answer"/> write the reply from its outcome: at once, or when it finishes, into the reply's place
    /// held meanwhile (the client's later requests deferred behind it).
    /// </summary>
    /// <param name="session">The env called, which a shutdown may end under the call; null for a make.</param>
    /// <param name="envId">The env's id, for the client whose requests pile up behind the call.</param>
    private void RunOffLoop<T>(ClientSession client, EnvSession? session, string envId, OffLoopCalls.Pace pace, Func<T> call, Action<Func<T>> answer)
    {
        ulong requestId = header.Id ?? 0;
        string? op = header.Op;
        long? handle = requestHandle;
        HeldReply? slot = null;
        var outcome = offLoop!.Run(call, pace, outcome =>
        {
            client.CallInFlight = null;
            header.Id = requestId;
            header.Op = op;
            requestHandle = handle;
            replyHeld = false;
            // An answer that must wait in turn (async_reset's recv: true, its batch not ready) holds this same place.
            replySlot = slot;
            try
            {
                answer(outcome);
            }
            catch (Exception error)
            {
                WriteFailure(client, error);
            }
            finally
            {
                replySlot = null;
            }

            if (!replyHeld) slot!.Payload = replyBuffer.WrittenSpan.ToArray();
            holding.Add(client);
            HandleDeferred(client);
        });
        if (outcome is not null)
        {
            answer(outcome);
            return;
        }

        // Left to run: the reply waits for it, and so do the client's later requests.
        slot = HoldReply(client, requestId);
        client.CallInFlight = new CallInFlight(op ?? "", envId, session);
    }

    /// <summary>Handles the client's requests that waited for its call, in order, until one more call goes off the loop.</summary>
    private void HandleDeferred(ClientSession client)
    {
        if (client.CallInFlight is null && client.Retry is var (retrySlot, retryPayload))
        {
            client.Retry = null;
            Replay(client, retrySlot, retryPayload);
        }

        while (client.CallInFlight is null && client.Deferred.TryDequeue(out var deferred)) Replay(client, deferred.Slot, deferred.Payload);
    }

    private void Replay(ClientSession client, HeldReply slot, byte[] payload)
    {
        replySlot = slot;
        Execute(client, payload);
        Reply(client);
        replySlot = null;
    }

    /// <summary>
    /// Before a request that must see a vector env's work finished (<c>reset</c>, <c>render</c>, <c>close</c>): when
    /// its sub-envs live in worker processes and some still run on the worker threads (one may hang), the request
    /// waits for them with its reply held, as behind a call left to run, instead of the loop waiting; it runs again once
    /// they finished (<see cref="ResumeClientsWaitingForSubEnvs"/>). Whether it waits.
    /// </summary>
    private bool WaitingForSubEnvs(ClientSession client, EnvSession session)
    {
        if (offLoop is null || !session.CallsMayBlock || session.Queue?.Lane is not { Outstanding: > 0 } lane) return false;
        // Results that finished meanwhile may be all there was.
        CollectFinishedWork();
        if (lane.Outstanding == 0) return false;
        client.Retry = (HoldReply(client, header.Id ?? 0), currentPayload.ToArray());
        client.CallInFlight = new CallInFlight(header.Op ?? "", session.Spec.Id, session, lane);
        WakeForWaitingRecv(session.Queue);
        return true;
    }

    /// <summary>Runs again the requests that waited for their vector env's sub-envs, now finished (loop thread, between requests).</summary>
    public void ResumeClientsWaitingForSubEnvs()
    {
        if (clientsToResume.Count == 0) return;
        var resumed = clientsToResume.ToArray();
        clientsToResume.Clear();
        foreach (var client in resumed)
        {
            client.CallInFlight = null;
            HandleDeferred(client);
        }
    }

    /// <summary>A place for the reply in the client's held replies: the deferred request's own, or a new one at the end.</summary>
    private HeldReply HoldReply(ClientSession client, ulong requestId)
    {
        replyHeld = true;
        holding.Add(client);
        if (replySlot is { } slot)
        {
            slot.RequestId = requestId;
            return slot;
        }

        var held = new HeldReply(requestId);
        client.HeldReplies.Enqueue(held);
        return held;
    }

    /// <summary>Answers a request that could not be read at all (no id) with an error, for the transport's own checks.</summary>
    public ReadOnlyMemory<byte> Reject(string clientId, string code, string message)
    {
        var client = clients.Touch(clientId);
        header.Id = null;
        header.Op = null;
        requestHandle = null;
        replyHeld = false;
        WriteError(client, code, message);
        return Reply(client);
    }

    /// <summary>Gives <paramref name="send"/> every held reply that may go out now, per client in request order.</summary>
    public void FlushHeldReplies(Action<string, ReadOnlySpan<byte>> send)
    {
        // Requests that waited for their vector env's sub-envs run first: their replies may go out in this flush.
        ResumeClientsWaitingForSubEnvs();
        if (holding.Count == 0) return;
        var now = time.GetUtcNow();
        foreach (var client in holding)
        {
            var held = client.HeldReplies;
            while (held.TryPeek(out var reply) && reply.Payload is { } bytes)
            {
                held.Dequeue();
                send(client.Id, bytes);
                // The client was silent because it waited for this reply: its idle time starts now, not at its request.
                client.LastSeen = now;
            }
        }

        holding.RemoveWhere(client => client.HeldReplies.Count == 0 || !clients.IsKnown(client));
    }

    /// <summary>Closes the envs of clients silent for longer than the idle timeout.</summary>
    public void CloseIdleClients() => clients.CloseIdle();

    /// <summary>
    /// Closes every env (server shutdown). Calls still running off the loop thread are ended first: their worker
    /// processes are killed, so the calls fail at once, and the envs are not disposed under them.
    /// </summary>
    public void Dispose()
    {
        if (offLoop is { Outstanding: > 0 })
        {
            foreach (var session in clients.SessionsWithCallsInFlight) session.KillWorkers();
            if (!offLoop.WaitUntilNoneRuns(TimeSpan.FromSeconds(10))) log.Warn("shutdown", ("message", "env calls off the loop thread still run after their workers were ended"));
        }

        clients.Dispose();
    }

    private void Dispatch(ClientSession client, ReadOnlyMemory<byte> payload)
    {
        switch (header.Op)
        {
            case Ops.Step: Step(client, Read<StepRequest>(payload)); break;
            case Ops.Reset: Reset(client, Read<ResetRequest>(payload)); break;
            case Ops.Hello: Hello(client, Read<HelloRequest>(payload)); break;
            case Ops.Ping: Write(PingReply.Shape, new PingReply { Id = Read<PingRequest>(payload).Id, Time = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 }); break;
            case Ops.List: List(Read<ListRequest>(payload)); break;
            case Ops.Make: Make(client, Read<MakeRequest>(payload)); break;
            case Ops.Render: Render(client, Read<RenderRequest>(payload)); break;
            case Ops.Close: Close(client, Read<CloseRequest>(payload)); break;
            case Ops.Send: Send(client, Read<SendRequest>(payload)); break;
            case Ops.Recv: Recv(client, Read<RecvRequest>(payload)); break;
            case Ops.AsyncReset: AsyncReset(client, Read<AsyncResetRequest>(payload)); break;
            case Ops.Nodes: Nodes(Read<NodesRequest>(payload)); break;
            case Ops.Place: Place(Read<PlaceRequest>(payload)); break;
            default:
                // A broken payload is malformed before its op is unknown, as when the whole request was read first.
                ReadHeader(payload, whole: true);
                throw new RequestError(ErrorCodes.UnknownOp, $"unknown op '{header.Op}'; expected one of {OpList}");
        }
    }

    private void Hello(ClientSession client, HelloRequest request)
    {
        if (!ProtocolConstants.IsCompatible(request.Protocol))
        {
            throw new RequestError(ErrorCodes.VersionMismatch,
                $"this server speaks protocol {ProtocolConstants.Version}; the client speaks {request.Protocol}. Use a client and server of the same protocol version");
        }

        client.Name = request.Client;
        log.Info("hello", ("client", client.Id), ("name", request.Client));
        if (LocalStreams.IsLocalClient(client.Id)) clients.ForgetOneLeftForLocalStream();
        else client.MayMoveToLocalStream = LocalStreamPath is not null;
        Write(HelloReply.Shape, new HelloReply
        {
            Id = request.Id,
            Protocol = ProtocolConstants.Version,
            Version = ServerVersion,
            Capabilities = [.. ProtocolConstants.Capabilities,
                .. LocalStreamPath is null ? Array.Empty<string>() : [ProtocolConstants.LocalStreamCapability],
                .. Cluster is null ? Array.Empty<string>() : [ProtocolConstants.ClusterCapability]],
            MaxMessageBytes = options.MaxMessageBytes,
            IdleTimeout = options.IdleTimeout.TotalSeconds,
            LocalStream = LocalStreamPath,
        });
    }

    private void List(ListRequest request)
    {
        var envs = registry.Specs.Select(spec => SpecMessage(spec, spec.Kwargs, spec.MaxEpisodeSteps, spec.Description) with { Source = registry.SourceOf(spec.Id) }).ToList();
        if (Cluster is not null)
        {
            // The cluster offers what its active nodes offer; an env this node lacks has only its id and who has it.
            var elsewhere = Cluster.Nodes().Where(node => node.IsActive).SelectMany(node => node.EnvIds.Select(id => (Id: id, Node: node.Name)))
                .Where(offer => !registry.TryGet(offer.Id, out _))
                .GroupBy(offer => offer.Id, StringComparer.Ordinal);
            envs.AddRange(elsewhere.Select(offer => new EnvSpecMessage
            {
                Id = offer.Key,
                Description = $"offered by other nodes of the cluster: {string.Join(", ", offer.Select(o => o.Node).Order(StringComparer.Ordinal))}",
            }));
        }

        Write(ListReply.Shape, new ListReply { Id = request.Id, Envs = envs.OrderBy(spec => spec.Id, StringComparer.Ordinal).ToList() });
    }

    // ---- SPEC.md §3.5: the cluster ----

    private void Nodes(NodesRequest request) => Write(NodesReply.Shape, new NodesReply
    {
        Id = request.Id,
        Nodes = ClusterOf(Ops.Nodes).Nodes().Select(node => new NodeMessage
        {
            Name = node.Name, Endpoint = node.Endpoint, Status = node.Status, Envs = node.Envs, StepsPerS = node.StepsPerSecond, Cores = node.Cores,
        }).ToList(),
    });

    private void Place(PlaceRequest request)
    {
        var cluster = ClusterOf(Ops.Place);
        var nodes = cluster.Nodes();
        if (!nodes.Any(node => node.IsActive && node.EnvIds.Contains(request.Env)))
        {
            throw new RequestError(ErrorCodes.UnknownEnv,
                $"no active node of the cluster offers '{request.Env}'; it offers {string.Join(", ", nodes.Where(node => node.IsActive).SelectMany(node => node.EnvIds).Distinct().Order(StringComparer.Ordinal))}");
        }

        if (request.NumEnvs < 1 || request.NumEnvs > int.MaxValue)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, $"num_envs must be at least 1; got {request.NumEnvs}");
        }

        IReadOnlyList<(NodeState Node, int Count)> plan;
        try
        {
            plan = Placement.Plan(nodes, request.Env, (int)request.NumEnvs, request.Placement ?? Placement.Spread, cluster.NodeName, request.Exclude);
        }
        catch (ArgumentException error)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, error.Message, error);
        }

        Write(PlaceReply.Shape, new PlaceReply { Id = request.Id, Endpoints = plan.SelectMany(part => Enumerable.Repeat(part.Node.Endpoint, part.Count)).ToList() });
    }

    private ICluster ClusterOf(string op) => Cluster
        ?? throw new RequestError(ErrorCodes.UnknownOp, $"'{op}' is an op of cluster nodes (capability '{ProtocolConstants.ClusterCapability}'); this server runs alone (started without --cluster)");

    private void Make(ClientSession client, MakeRequest request)
    {
        if (!registry.TryGet(request.Env, out var spec))
        {
            throw new RequestError(ErrorCodes.UnknownEnv,
                $"no env '{request.Env}'; this server has {string.Join(", ", registry.Specs.Select(s => s.Id).Order(StringComparer.Ordinal))}");
        }

        if (request.NumEnvs is long numEnvs && (numEnvs < 1 || numEnvs > options.MaxNumEnvs))
        {
            throw new RequestError(ErrorCodes.InvalidArgument, $"num_envs must be between 1 and {options.MaxNumEnvs}; got {numEnvs}");
        }

        if (request.AutoresetMode is not null && request.NumEnvs is null)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, $"autoreset_mode is for vector envs; make it with num_envs too (got autoreset_mode '{request.AutoresetMode}' alone)");
        }

        var autoresetMode = ParseAutoresetMode(request.AutoresetMode);
        if (request.BatchSize is long batchSize && (request.NumEnvs is not long count || batchSize < 1 || batchSize > count))
        {
            throw new RequestError(ErrorCodes.InvalidArgument, request.NumEnvs is null
                ? $"batch_size is for vector envs; make it with num_envs too (got batch_size {batchSize} alone)"
                : $"batch_size must be between 1 and num_envs ({request.NumEnvs}); got {batchSize}");
        }

        clients.EnsureRoomForAnother(client);
        EnvSession Create(long handle) => EnvSession.Create(
            handle, spec, EnvKwargs.Parse(spec, request.Kwargs), request.RenderMode, (int?)request.NumEnvs, (int?)request.BatchSize, autoresetMode, options);

        if (offLoop is not null && EnvSession.MakeMayBlock(spec, options))
        {
            // Starting a worker process (an emulator skipping its start screen) takes up to seconds: not the loop's.
            long handle = clients.ReserveHandle();
            RunOffLoop(client, null, spec.Id, makePace, () => Create(handle), outcome =>
            {
                var made = clients.Run(client, null, Ops.Make, request.Id, outcome, argumentErrors: true);
                clients.Adopt(client, made);
                AnswerMake(client, request, spec, made);
            });
            return;
        }

        var session = clients.Run(client, null, Ops.Make, request.Id, () => clients.Add(client, Create), argumentErrors: true);
        AnswerMake(client, request, spec, session);
    }

    private void AnswerMake(ClientSession client, MakeRequest request, EnvSpec spec, EnvSession session)
    {
        log.Info("env_made", ("client", client.Id), ("handle", session.Handle), ("env", spec.Id), ("num_envs", request.NumEnvs), ("render_mode", request.RenderMode),
            ("worker_pids", session.WorkerProcessIds.Count == 0 ? null : string.Join(",", session.WorkerProcessIds)),
            ("worker_transport", session.WorkerTransports.Count == 0 ? null : string.Join(",", session.WorkerTransports)));
        Write(MakeReply.Shape, new MakeReply
        {
            Id = request.Id,
            Handle = session.Handle,
            Env = spec.Id,
            NumEnvs = session.Vector?.NumEnvs,
            BatchSize = session.Queue?.BatchSize,
            AutoresetMode = session.Vector?.AutoresetMode.Name(),
            ObservationSpace = session.ObservationSpace,
            ActionSpace = session.ActionSpace,
            Spec = SpecMessage(spec, session.Kwargs.Values.Where(pair => pair.Key != EnvKwargs.MaxEpisodeStepsKey).ToDictionary(), session.Kwargs.MaxEpisodeSteps, null),
            RenderMode = session.RenderMode,
            // A frame-skipping wrapper renders every n-th frame: its frame rate keeps videos at the game's speed.
            Metadata = new RenderMetadata { RenderModes = spec.RenderModes, RenderFps = session.Kwargs.Wrappers?.RenderFps(spec.RenderFps) ?? spec.RenderFps },
        });
    }

    private void Reset(ClientSession client, ResetRequest request)
    {
        var session = clients.Find(client, request.Handle);
        var options = request.Options;
        IReadOnlyList<bool>? mask = null;
        if (session.Queue is { } queue)
        {
            mask = session.TakeResetMask(ref options);
            // A masked reset leaves the other sub-envs as they are: none may have a result the reset would drop.
            if (mask is not null && queue.InFlight > 0)
            {
                throw new RequestError(ErrorCodes.InvalidArgument, $"reset with reset_mask needs every sub-env's result received; {queue.InFlight} are in flight: recv them first");
            }

            if (WaitingForSubEnvs(client, session)) return;
            PrepareVectorReset(client, session);
        }

        CallEnv(client, session, Ops.Reset, request.Id, () =>
        {
            if (session.Single is { } env)
            {
                var result = env.Reset(EnvSession.ReadSeed(request.Seed), options);
                return (result.Observation, result.Info);
            }

            // Within the reset's own call: a sub-env in a worker process is made anew off the loop (a process may start).
            session.RemakeFailedSubEnvs(mask);
            var vectorResult = session.Vector!.Reset(session.ReadVectorSeeds(request.Seed), options, mask);
            return (vectorResult.Observations, vectorResult.Info);
        }, reset =>
        {
            session.State = EpisodeState.Running;
            Write(ResetReply.Shape, new ResetReply { Id = request.Id, Obs = reset.Item1, Info = reset.Item2 });
        }, argumentErrors: true);
    }

    private void Step(ClientSession client, StepRequest request)
    {
        var session = clients.Find(client, request.Handle);
        session.EnsureCanStep();
        if (session.Single is { } env)
        {
            var action = session.ReadAction(request.Action);
            CallEnv(client, session, Ops.Step, request.Id, () => env.Step(action), result =>
            {
                subEnvSteps++;
                if (result.Terminated || result.Truncated) session.State = EpisodeState.Ended;
                stepReply.Id = request.Id;
                (stepReply.Obs, stepReply.Reward, stepReply.Terminated, stepReply.Truncated, stepReply.Info) =
                    (result.Observation, result.Reward, result.Terminated, result.Truncated, result.Info);
                Write(StepReply.Shape, stepReply);
            });
        }
        else
        {
            session.EnsureNothingInFlight();
            var actions = session.ReadVectorActions(request.Action);
            CallEnv(client, session, Ops.Step, request.Id, () => session.Vector!.Step(actions), result =>
            {
                subEnvSteps += session.Vector!.NumEnvs;
                vectorStepReply.Id = request.Id;
                vectorStepReply.Obs = result.Observations;
                vectorStepReply.Reward = Column(result.Rewards);
                vectorStepReply.Terminated = Column(result.Terminated);
                vectorStepReply.Truncated = Column(result.Truncated);
                vectorStepReply.Info = result.Info;
                Write(VectorStepReply.Shape, vectorStepReply);
            });
        }
    }

    private void Render(ClientSession client, RenderRequest request)
    {
        var session = clients.Find(client, request.Handle);
        session.EnsureCanRender();
        if (WaitingForSubEnvs(client, session)) return;
        RunAllQueuedWork(client, session);
        if (session.Single is { } env)
        {
            CallEnv(client, session, Ops.Render, request.Id, env.Render, frame => Write(RenderReply.Shape, new RenderReply { Id = request.Id, Frame = frame }));
        }
        else
        {
            CallEnv(client, session, Ops.Render, request.Id, session.Vector!.Render,
                frames => Write(VectorRenderReply.Shape, new VectorRenderReply { Id = request.Id, Frames = frames }));
        }
    }

    private void Close(ClientSession client, CloseRequest request)
    {
        var session = clients.Find(client, request.Handle);
        if (WaitingForSubEnvs(client, session)) return;
        RunAllQueuedWork(client, session);
        clients.Close(client, session, "requested");
        Write(CloseReply.Shape, new CloseReply { Id = request.Id });
    }

    private static AutoresetMode ParseAutoresetMode(string? name)
    {
        try
        {
            return name is null ? AutoresetMode.NextStep : AutoresetModes.Parse(name);
        }
        catch (ArgumentException error)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, error.Message, error);
        }
    }

    /// <summary>One value per sub-env: a 1-d array even of one element (NDArray.From alone would make that a scalar).</summary>
    private static NDArray Column<T>(T[] values) where T : unmanaged => NDArray.From(values, values.Length);

    /// <summary>The reply to the request just handled, unless it must wait behind a recv of the same client (then held, and empty).</summary>
    private ReadOnlyMemory<byte> Reply(ClientSession client)
    {
        if (replyHeld) return ReadOnlyMemory<byte>.Empty;
        if (replySlot is { } slot)
        {
            // A deferred request: its place in the held replies was kept when it came.
            slot.RequestId = header.Id ?? 0;
            slot.Payload = replyBuffer.WrittenSpan.ToArray();
            holding.Add(client);
            return ReadOnlyMemory<byte>.Empty;
        }

        if (client.HeldReplies.Count == 0) return replyBuffer.WrittenMemory;
        client.HeldReplies.Enqueue(new HeldReply(header.Id ?? 0, replyBuffer.WrittenSpan.ToArray()));
        holding.Add(client);
        return ReadOnlyMemory<byte>.Empty;
    }

    private static EnvSpecMessage SpecMessage(EnvSpec spec, IReadOnlyDictionary<string, object?> kwargs, int? maxEpisodeSteps, string? description) => new()
    {
        Id = spec.Id,
        MaxEpisodeSteps = maxEpisodeSteps,
        RewardThreshold = spec.RewardThreshold,
        Nondeterministic = spec.Nondeterministic,
        Kwargs = kwargs,
        RenderModes = spec.RenderModes,
        Description = description,
    };

    /// <summary>The request as its op declares it; a missing or wrong-typed key is the request's error, with its code.</summary>
    private T Read<T>(ReadOnlyMemory<byte> payload) where T : Request, IRequest<T>, new()
    {
        try
        {
            var request = T.Shape.Read(payload);
            requestHandle = (request as HandleRequest)?.Handle;
            return request;
        }
        catch (Exception error) when (error is MessageFormatException or WireDecodeException)
        {
            throw Unreadable(error);
        }
    }

    private void ReadHeader(ReadOnlyMemory<byte> payload, bool whole = false)
    {
        try
        {
            RequestHeader.Read(payload, header, whole);
        }
        catch (Exception error) when (error is MessageFormatException or WireDecodeException)
        {
            throw Unreadable(error);
        }
    }

    /// <summary>A request that does not follow its declaration (with the declaration's code) or is not MessagePack at all.</summary>
    private static RequestError Unreadable(Exception error) => error is MessageFormatException format
        ? new RequestError(format.Code, format.Message, format)
        : new RequestError(ErrorCodes.Malformed, $"the request is not valid MessagePack: {error.Message}", error);

    /// <summary>Reads as much of the header as can be read, for the id of a request rejected whatever it holds.</summary>
    private void ReadIdOnly(ReadOnlyMemory<byte> payload)
    {
        try
        {
            ReadHeader(payload);
        }
        catch (RequestError)
        {
            // The request is rejected for its size: only the id matters, if it could be read.
        }
    }

    private void Write<T>(MessageShape<T> shape, T reply) where T : class, new()
    {
        replyBuffer.ResetWrittenCount();
        var writer = new MessagePackWriter(replyBuffer);
        shape.Write(ref writer, reply);
        writer.Flush();
    }

    private void WriteError(ClientSession client, string code, string message)
    {
        log.Warn("request_error", ("client", client.Id), ("op", header.Op), ("handle", requestHandle), ("request", header.Id), ("code", code), ("message", message));
        Write(ErrorReply.Shape, new ErrorReply { Id = header.Id, Error = new ErrorBody { Code = code, Message = message } });
    }
}
