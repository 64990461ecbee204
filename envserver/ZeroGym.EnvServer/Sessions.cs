using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Vector;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer;

/// <summary>Where a single env is in SPEC.md §3.1's state machine.</summary>
internal enum EpisodeState
{
    NeedsReset,
    Running,
    Ended,
}

/// <summary>One handle: a single env or a vector env, with the state the server enforces around it.</summary>
internal sealed class EnvSession : IDisposable
{
    private readonly Func<Env> makeSubEnv;

    private EnvSession(long handle, EnvSpec spec, EnvKwargs kwargs, string? renderMode, Env? single, SyncVectorEnv? vector, int batchSize, Func<Env> makeSubEnv)
    {
        Handle = handle;
        Spec = spec;
        Kwargs = kwargs;
        RenderMode = renderMode;
        Single = single;
        Vector = vector;
        Queue = vector is null ? null : new VectorQueue(vector, batchSize);
        this.makeSubEnv = makeSubEnv;
        CallsMayBlock = WorkerEnvs.Any();
    }

    public long Handle { get; }

    public EnvSpec Spec { get; }

    public EnvKwargs Kwargs { get; }

    public string? RenderMode { get; }

    /// <summary>The env of a single-env handle, else null.</summary>
    public Env? Single { get; }

    /// <summary>The vector env of a vector handle, else null.</summary>
    public SyncVectorEnv? Vector { get; }

    /// <summary>The asynchronous calls' state of a vector handle (SPEC.md §3.4), else null.</summary>
    public VectorQueue? Queue { get; }

    public EpisodeState State { get; set; } = EpisodeState.NeedsReset;

    /// <summary>The worker processes of the env(s), when they run in their own (<see cref="Workers.WorkerEnv"/>).</summary>
    public IReadOnlyList<int> WorkerProcessIds => WorkerEnvs.Select(env => env.WorkerProcessId).Distinct().ToList();

    /// <summary>How the server reaches those worker processes (<see cref="Workers.WorkerEnv.Transport"/>), each once.</summary>
    public IReadOnlyList<string> WorkerTransports => WorkerEnvs.Select(env => env.Transport).Distinct().ToList();

    /// <summary>
    /// Its env(s) live in worker processes, so a call waits for another process, which may hang until the worker's
    /// call timeout: the server makes such calls off its loop thread (<see cref="OffLoopCalls"/>).
    /// </summary>
    public bool CallsMayBlock { get; }

    /// <summary>How long its calls took lately, which decides whether the loop waits for the next one (<see cref="OffLoopCalls"/>).</summary>
    public OffLoopCalls.Pace CallPace { get; } = new();

    /// <summary>Ends its worker processes (it is closed with a call in flight): the call then fails at once instead of waiting.</summary>
    public void KillWorkers()
    {
        foreach (var env in WorkerEnvs) env.KillWorker();
    }

    private IEnumerable<Workers.WorkerEnv> WorkerEnvs => (Single is null ? Vector!.Envs : [Single]).Select(Innermost).OfType<Workers.WorkerEnv>();

    // A Python env's time limit and wrappers are applied here, around the worker's env.
    private static Env Innermost(Env env) => env is Envs.Wrappers.Wrapper wrapper ? Innermost(wrapper.Inner) : env;

    public Space ObservationSpace => Single?.ObservationSpace ?? Vector!.SingleObservationSpace;

    public Space ActionSpace => Single?.ActionSpace ?? Vector!.SingleActionSpace;

    /// <summary>
    /// Builds the env(s), each in a worker process of its own when the spec asks for one and
    /// <see cref="ServerOptions.InProcessEnvs"/> is off; throws <see cref="ArgumentException"/> for bad kwargs or render mode.
    /// </summary>
    /// <param name="batchSize">A vector env's <c>recv</c> batch size (SPEC.md §3.4); null for <paramref name="numEnvs"/>.</param>
    /// <param name="autoresetMode">A vector env's autoreset mode.</param>
    public static EnvSession Create(
        long handle, EnvSpec spec, EnvKwargs kwargs, string? renderMode, int? numEnvs, int? batchSize, AutoresetMode autoresetMode, ServerOptions options)
    {
        Env Make(Func<EnvKwargs, string?, Env>? create = null) => MakeEnv(spec, kwargs, renderMode, options, create);

        if (numEnvs is not int count) return new EnvSession(handle, spec, kwargs, renderMode, Make(), null, 0, () => Make());

        // Sub-envs that share something (a Python env's worker processes) are made, and made anew, by their group.
        var createSubEnv = spec.CreateGroup?.Invoke(count);
        Env MakeSubEnv() => options.InjectedDelay > TimeSpan.Zero ? new RandomDelay(Make(createSubEnv), options.InjectedDelay) : Make(createSubEnv);
        var envs = new List<Env>(count);
        try
        {
            for (int i = 0; i < count; i++) envs.Add(MakeSubEnv());
            return new EnvSession(handle, spec, kwargs, renderMode, null, new SyncVectorEnv(envs, autoresetMode), batchSize ?? count, MakeSubEnv);
        }
        catch
        {
            foreach (var env in envs) env.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes one env as a client's <c>make</c> does: in a worker process of its own when the spec asks for one and
    /// <see cref="ServerOptions.InProcessEnvs"/> is off (the worker applies the kwargs, time limit and wrappers
    /// included), else here; throws <see cref="ArgumentException"/> for bad kwargs or render mode.
    /// </summary>
    /// <param name="create">Builds the env in place of the spec's own (a sub-env of a group); null for the spec's.</param>
    public static Env MakeEnv(EnvSpec spec, EnvKwargs kwargs, string? renderMode, ServerOptions options, Func<EnvKwargs, string?, Env>? create = null)
    {
        if (!spec.NeedsOwnProcess || options.InProcessEnvs) return spec.Make(kwargs, renderMode, create);
        var forwarded = new Dictionary<string, object?>(kwargs.Values) { [EnvKwargs.MaxEpisodeStepsKey] = kwargs.MaxEpisodeSteps };
        return new Workers.WorkerEnv(spec.Id, forwarded, renderMode, options.WorkerArguments);
    }

    /// <summary>
    /// Whether making the env starts worker processes (its own, or a Python env's), which takes up to seconds and may
    /// hang: the server makes such envs off its loop thread.
    /// </summary>
    public static bool MakeMayBlock(EnvSpec spec, ServerOptions options) =>
        (spec.NeedsOwnProcess && !options.InProcessEnvs) || spec.CreateGroup is not null;

    /// <summary>Checks SPEC.md §3.1's state machine before a step: only a running episode may step.</summary>
    public void EnsureCanStep()
    {
        if (State == EpisodeState.Running) return;
        throw new RequestError(ErrorCodes.ResetNeeded, State == EpisodeState.NeedsReset
            ? $"env {Handle} has not been reset yet; call reset before step"
            : $"the episode of env {Handle} has ended (terminated or truncated); call reset before stepping again");
    }

    /// <summary>
    /// Makes every failed sub-env of a vector env anew, before a reset (SPEC.md §3.4), and any whose worker process
    /// ended meanwhile (it hosted a sub-env that failed). A sub-env that cannot be made
    /// throws, as making the env would have; the ones made before it stay.
    /// </summary>
    /// <param name="mask">Only the sub-envs it marks (a reset with <c>reset_mask</c>), or null for all.</param>
    public void RemakeFailedSubEnvs(IReadOnlyList<bool>? mask = null)
    {
        var failed = Queue!.FailedSubEnvs().ToHashSet();
        // A sub-env whose worker process ended with another sub-env's failure lost its state too: it is made anew with them.
        var lost = Enumerable.Range(0, Vector!.NumEnvs).Where(envId => !failed.Contains(envId) && Innermost(Vector.Envs[envId]) is Workers.WorkerEnv { IsLost: true });
        foreach (int envId in failed.Order().Concat(lost).Where(envId => mask?[envId] ?? true).ToList())
        {
            var old = Vector.Replace(envId, makeSubEnv());
            if (failed.Contains(envId)) Queue.Revived(envId);
            try
            {
                old.Dispose();
            }
            catch (Exception)
            {
                // The env already failed; what its disposal says adds nothing.
            }
        }
    }

    /// <summary>A vector env's synchronous <c>step</c> needs every sub-env's result received and none failed (SPEC.md §3.4).</summary>
    public void EnsureNothingInFlight()
    {
        if (Queue is not { } queue) return;
        if (queue.InFlight > 0)
        {
            throw new RequestError(ErrorCodes.InvalidArgument,
                $"step needs every sub-env's result received; {queue.InFlight} sub-envs of env {Handle} are in flight (sent by send or async_reset): recv them first");
        }

        if (queue.FailedCount > 0)
        {
            throw new RequestError(ErrorCodes.ResetNeeded, $"sub-env {queue.FailedSubEnvs().First()} of env {Handle} failed; reset makes it anew");
        }

        if (Vector!.AutoresetMode == AutoresetMode.Disabled && Enumerable.Range(0, Vector.NumEnvs).FirstOrDefault(Vector.HasEnded, -1) is int ended and >= 0)
        {
            throw new RequestError(ErrorCodes.ResetNeeded, EndedMessage(ended));
        }
    }

    /// <summary>Why an ended sub-env of a vector env with autoreset disabled takes no action.</summary>
    public string EndedMessage(int envId) =>
        $"sub-env {envId} of env {Handle} ended and autoreset is disabled; reset it first with reset(options={{\"reset_mask\": mask}})";

    /// <summary>
    /// The <c>reset_mask</c> of a vector env's reset options (Gymnasium's per-sub-env reset): one bool per sub-env, as
    /// a bool array or a list; null when the options hold none. The mask is taken out of the options the envs get.
    /// </summary>
    public IReadOnlyList<bool>? TakeResetMask(ref IReadOnlyDictionary<string, object?>? options)
    {
        if (options is null || !options.TryGetValue(ResetMaskKey, out var tree)) return null;
        int numEnvs = Vector!.NumEnvs;
        var mask = tree switch
        {
            NDArray { DType: DType.Bool, Rank: 1 } array when array.Length == numEnvs => array.ToArray<bool>(),
            object?[] list when list.Length == numEnvs && list.All(item => item is bool) => list.Cast<bool>().ToArray(),
            _ => throw new RequestError(ErrorCodes.InvalidArgument, $"reset_mask must be {numEnvs} bools, one per sub-env; got {Space.Describe(tree)}"),
        };
        if (!mask.Contains(true)) throw new RequestError(ErrorCodes.InvalidArgument, "reset_mask marks no sub-env; at least one must be reset");
        options = options.Where(pair => pair.Key != ResetMaskKey).ToDictionary();
        return mask;
    }

    /// <summary>The reset option that resets only some sub-envs of a vector env.</summary>
    public const string ResetMaskKey = "reset_mask";

    /// <summary>
    /// The sub-envs a <c>send</c> names: a list or 1-d (or 0-d) integer array of distinct indices of idle sub-envs;
    /// <c>invalid_argument</c> naming the first that is not.
    /// </summary>
    public int[] ReadSubEnvIds(object? tree)
    {
        var queue = Queue!;
        int numEnvs = Vector!.NumEnvs;
        var envIds = tree switch
        {
            // What clients send on every step, read without a conversion per element.
            NDArray { Rank: 1, DType: DType.Int64 } array => array.ToArray<long>(),
            // A 0-d array is one index, as numpy's np.asarray(3) is.
            NDArray { Rank: <= 1 } array when array.DType.IsInteger() => Enumerable.Range(0, array.Length).Select(array.GetInt64).ToArray(),
            object?[] list when list.All(item => item is long) => list.Cast<long>().ToArray(),
            _ => throw new RequestError(ErrorCodes.InvalidArgument, $"env_id must list sub-env indices (a list or 1-d array of integers); got {Space.Describe(tree)}"),
        };
        if (envIds.Length == 0) throw new RequestError(ErrorCodes.InvalidArgument, "env_id lists no sub-env; send needs at least one");
        var seen = new bool[numEnvs];
        var indices = new int[envIds.Length];
        for (int k = 0; k < envIds.Length; k++)
        {
            long envId = envIds[k];
            string? problem = envId < 0 || envId >= numEnvs ? $"is not a sub-env of env {Handle}, whose sub-envs are 0 to {numEnvs - 1}"
                : seen[envId] ? "is listed twice; a batch holds each sub-env once"
                : queue.StateOf((int)envId) == SubEnvState.InFlight ? "is in flight: its result has not been received yet (recv it first)"
                : queue.StateOf((int)envId) == SubEnvState.Failed ? "failed; reset makes it anew"
                : null;
            if (problem is not null) throw new RequestError(ErrorCodes.InvalidArgument, $"sub-env {envId} (env_id[{k}]) {problem}");
            seen[envId] = true;
            indices[k] = (int)envId;
        }

        return indices;
    }

    /// <summary>
    /// The single-env actions of a <c>send</c> to <paramref name="count"/> sub-envs, from their batched wire form;
    /// <c>invalid_action</c> when they cannot be read as such a batch (each is checked against the space later, on its own).
    /// </summary>
    public IReadOnlyList<object> ReadSubEnvActions(object? tree, int count)
    {
        var batchSpace = Queue!.BatchedActionSpace(count);
        try
        {
            return Batching.Iterate(Vector!.SingleActionSpace, batchSpace.Coerce(tree), count);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            throw new RequestError(ErrorCodes.InvalidAction, $"invalid actions for {count} sub-envs of {Vector!.SingleActionSpace}: {error.Message}", error);
        }
    }

    /// <summary>Checks that the env draws frames and has something to draw.</summary>
    public void EnsureCanRender()
    {
        if (RenderMode is null)
        {
            throw new RequestError(ErrorCodes.NotRendering, $"env {Handle} was made without a render_mode; make it with render_mode 'rgb_array' to render");
        }

        if (State == EpisodeState.NeedsReset)
        {
            throw new RequestError(ErrorCodes.ResetNeeded, $"env {Handle} has no state to draw yet; call reset before render");
        }
    }

    /// <summary>A single env's action from its wire form; <c>invalid_action</c> when it is not in the action space.</summary>
    public object ReadAction(object? tree)
    {
        var space = Single!.ActionSpace;
        object action;
        try
        {
            action = space.Coerce(tree);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            throw new RequestError(ErrorCodes.InvalidAction, $"invalid action: {error.Message}", error);
        }

        return space.Contains(action)
            ? action
            : throw new RequestError(ErrorCodes.InvalidAction, $"action {Space.Describe(action)} is not in the action space {space}");
    }

    /// <summary>A vector env's batched actions from their wire form; <c>invalid_action</c> naming the first sub-env at fault.</summary>
    public object ReadVectorActions(object? tree)
    {
        var vector = Vector!;
        object actions;
        try
        {
            actions = vector.ActionSpace.Coerce(tree);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            throw new RequestError(ErrorCodes.InvalidAction,
                $"invalid actions for {vector.NumEnvs} sub-envs of {vector.SingleActionSpace}: {error.Message}", error);
        }

        if (vector.ActionSpace.Contains(actions)) return actions;
        // Rejected: find the first sub-env at fault, for a message that points at it.
        var perEnv = Batching.Iterate(vector.SingleActionSpace, actions, vector.NumEnvs);
        int culprit = Enumerable.Range(0, perEnv.Count).FirstOrDefault(i => !vector.SingleActionSpace.Contains(perEnv[i]));
        throw new RequestError(ErrorCodes.InvalidAction,
            $"action {Space.Describe(perEnv[culprit])} of sub-env {culprit} is not in the action space {vector.SingleActionSpace}");
    }

    /// <summary>A single env's seed: a non-negative integer or nil.</summary>
    public static long? ReadSeed(object? tree, string what = "seed") => tree switch
    {
        null => null,
        long seed and >= 0 => seed,
        _ => throw new RequestError(ErrorCodes.InvalidArgument, $"{what} must be a non-negative integer or nil; got {Space.Describe(tree)}"),
    };

    /// <summary>A vector env's seeds (SPEC.md §2.3): nil, one integer s (sub-env i gets s + i) or one seed per sub-env.</summary>
    public long?[] ReadVectorSeeds(object? tree)
    {
        int numEnvs = Vector!.NumEnvs;
        var seeds = new long?[numEnvs];
        switch (tree)
        {
            case null:
                break;
            case object?[] list when list.Length == numEnvs:
                for (int i = 0; i < numEnvs; i++) seeds[i] = ReadSeed(list[i], $"seed[{i}]");
                break;
            case object?[] list:
                throw new RequestError(ErrorCodes.InvalidArgument, $"seed must list one seed per sub-env ({numEnvs}); got {list.Length}");
            default:
                long first = ReadSeed(tree)!.Value;
                for (int i = 0; i < numEnvs; i++) seeds[i] = first + i;
                break;
        }

        return seeds;
    }

    public void Dispose()
    {
        // Sub-envs still stepping on worker threads finish before the envs go. One in a worker process may hang: that
        // worker is ended instead of waited for (the env goes anyway), or the loop would wait out its call timeout.
        if (Queue?.Lane is { } lane)
        {
            if (CallsMayBlock && lane.Outstanding > 0) KillWorkers();
            lane.Runner.Abandon(lane);
        }
        Single?.Dispose();
        Vector?.Dispose();
    }
}

/// <summary>One connection (ROUTER identity) and the envs it owns.</summary>
internal sealed class ClientSession(string id, DateTimeOffset now)
{
    public string Id { get; } = id;

    /// <summary>The replies that wait for a <c>recv</c>'s batch, in request order; empty almost always.</summary>
    public Queue<HeldReply> HeldReplies { get; } = new();

    public Dictionary<long, EnvSession> Envs { get; } = [];

    /// <summary>When the client last sent a request, or was last sent a reply it had waited for (its idle time starts there).</summary>
    public DateTimeOffset LastSeen { get; set; } = now;

    public string? Name { get; set; }

    /// <summary>
    /// Said hello on ZeroMQ, was offered the local stream (SPEC.md §1.1) and asked nothing since: a client that moved
    /// there leaves this session behind, empty.
    /// </summary>
    public bool MayMoveToLocalStream { get; set; }

    /// <summary>
    /// The client's call that runs off the loop thread (<see cref="OffLoopCalls"/>), or null. Meanwhile the client's later
    /// requests wait in <see cref="Deferred"/>, so its env is used by one thread at a time and its replies keep their order.
    /// </summary>
    public CallInFlight? CallInFlight { get; set; }

    /// <summary>Whether a reply to it is still being made: a call left to run, or a <c>recv</c> whose batch is not finished.</summary>
    public bool WaitsForTheServer => CallInFlight is not null || HeldReplies.Any(reply => reply.Payload is null);

    /// <summary>Requests that came while a call was in flight, in order, each with its reply's place in <see cref="HeldReplies"/>.</summary>
    public Queue<(HeldReply Slot, byte[] Payload)> Deferred { get; } = new();

    /// <summary>The request that waits for its vector env's sub-envs (<see cref="CallInFlight"/> with a lane), run again before <see cref="Deferred"/>.</summary>
    public (HeldReply Slot, byte[] Payload)? Retry { get; set; }
}

/// <summary>
/// A client's call left to run off the loop thread: its request's op, the env it calls (<paramref name="Session"/> null
/// while one is made), and, for a request that waits for its vector env's sub-envs on the worker threads, their lane.
/// </summary>
internal sealed record CallInFlight(string Op, string EnvId, EnvSession? Session, WorkLane? Lane = null)
{
    /// <summary>What the client's later requests wait behind, for the error that turns away one too many.</summary>
    public string What => (Session is null ? $"'{Op}' of {EnvId}" : $"'{Op}' of env {Session.Handle} ({EnvId})") + (Lane is null ? "" : ", waiting for its sub-envs");
}
