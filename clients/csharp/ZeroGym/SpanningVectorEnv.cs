using System.Diagnostics;
using ZeroGym.Arrays;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym;

/// <summary>
/// The engine of a <see cref="RemoteVectorEnv"/> whose sub-envs run on several nodes of a cluster: the node addressed
/// places them (SPEC.md §3.5), each node's share is one vector env on a connection of its own (a part), and sub-env i
/// of the whole is sub-env i - first of its part, seeded <c>seed + i</c> whichever node runs it. A synchronous step
/// goes to every part at once; <see cref="Receive(int)"/> waits on every part with sub-envs in flight and gives the first
/// <see cref="BatchSize"/> results wherever they ran (each part's <c>recv</c> asks <c>min_batch</c> 1, so none waits
/// for results that went elsewhere; results beyond the batch wait here for the next call). A node that stops
/// answering is lost (see <see cref="NodeProbe"/>) and handled by the <see cref="NodeLossPolicy"/>.
/// </summary>
internal sealed class SpanningVectorEnv : IDisposable
{
    /// <summary>How long the caller's thread waits for the nodes' replies itself before pool threads take over (see <see cref="WaitForAnyOutcome"/>).</summary>
    private static readonly TimeSpan SlowReply = TimeSpan.FromMilliseconds(100);

    private readonly Lock gate = new();
    private readonly string envId;
    private readonly VectorEnvOptions options;
    private readonly ClientOptions clientOptions;
    private readonly NodePlacement placement;
    private ZeroGymClient placer;
    private bool ownsPlacer;

    private readonly List<Part> parts = [];
    private readonly Part?[] owner;
    private readonly int[] rowInPart;
    // Sub-envs sent to (or reset by AsyncReset) whose results were not yet given by Receive.
    private readonly bool[] inFlight;
    // Each sub-env's last observation, as a row of the batch it came in.
    private readonly (object Observations, int Row)[] lastObservation;

    /// <summary>Whether each sub-env's last observation reached the caller since the last reset (not yet after AsyncReset).</summary>
    private readonly bool[] delivered;
    // Recreate: a sub-env made anew after its node was lost gives this reset result at its next step.
    private readonly Dictionary<int, Chunk> pendingReset = [];
    // Recreate: a sub-env that was idle when its node was lost gives its loss at its next step.
    private readonly HashSet<int> lostIdle = [];
    // Raise: the node each lost sub-env ran on, until a reset makes it anew.
    private readonly Dictionary<int, string> lostOn = [];
    private readonly HashSet<string> lostNodes = [];
    // Results received and not yet given, in the order they came.
    private readonly List<Chunk> ready = [];
    private long? resetSeed;
    private bool started;

    public SpanningVectorEnv(ZeroGymClient placer, bool ownsPlacer, string envId, int numEnvs, VectorEnvOptions options)
    {
        this.placer = placer;
        this.ownsPlacer = ownsPlacer;
        this.envId = envId;
        this.options = options;
        placement = options.Placement ?? NodePlacement.Spread;
        clientOptions = placer.Options;
        NumEnvs = numEnvs;
        BatchSize = options.BatchSize ?? numEnvs;
        owner = new Part?[numEnvs];
        rowInPart = new int[numEnvs];
        inFlight = new bool[numEnvs];
        lastObservation = new (object, int)[numEnvs];
        delivered = new bool[numEnvs];
        try
        {
            if (BatchSize < 1 || BatchSize > numEnvs) throw new ArgumentOutOfRangeException(nameof(options), $"batch_size must be between 1 and num_envs ({numEnvs}); got {BatchSize}");
            MakeParts(Enumerable.Range(0, numEnvs).ToArray());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Raised when a node is lost, before the call that noticed returns or throws.</summary>
    public event Action<NodeLoss>? NodeLost;

    public int NumEnvs { get; }

    public int BatchSize { get; }

    /// <summary>The part that holds sub-env 0 (its spaces and spec are every part's).</summary>
    public RemoteVectorEnv First => parts[0].Env;

    /// <summary>The endpoint of each sub-env's node; a lost sub-env not yet made anew keeps its lost node's.</summary>
    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (gate) return Enumerable.Range(0, NumEnvs).Select(i => owner[i]?.Endpoint ?? lostOn.GetValueOrDefault(i, "")).ToList();
        }
    }

    public VectorResetResult Reset(long? seed, IReadOnlyDictionary<string, object?>? resetOptions)
    {
        lock (gate)
        {
            StartAnew(seed);
            for (int attempt = 0; ; attempt++)
            {
                MakeMissing();
                var outcomes = OnEveryPart(parts, part =>
                {
                    var result = part.Env.Reset(seed + part.Ids[0], resetOptions);
                    return new Chunk(new VectorBatch(part.Ids, result.Observations, new double[part.Ids.Length], new bool[part.Ids.Length], new bool[part.Ids.Length], result.Info));
                });
                var lost = outcomes.Where(outcome => outcome.Lost).Select(outcome => outcome.Part).ToList();
                if (lost.Count == 0 || attempt >= 2)
                {
                    ThrowFirstError(outcomes);
                    foreach (var part in lost) Lose(part, recreate: false, notify: true);
                    if (lost.Count > 0) throw new NodeLostException(lost[0].Endpoint, lost[0].Ids);
                    var whole = InGlobalOrder(outcomes.Select(outcome => outcome.Chunk!.Batch).ToList());
                    Remember(whole);
                    started = true;
                    return new VectorResetResult(whole.Observations, whole.Info);
                }

                // Reset makes lost sub-envs anew whatever the policy, and then says where.
                foreach (var part in lost) Lose(part, recreate: false, notify: false);
                MakeMissing();
                foreach (var part in lost) NodeLost?.Invoke(new NodeLoss(part.Endpoint, part.Ids, part.Ids.Select(id => owner[id]!.Endpoint).ToList()));
            }
        }
    }

    public VectorStepResult Step(object actions)
    {
        lock (gate)
        {
            if (!started) throw new ZeroGymException(ErrorCodes.ResetNeeded, "the vector env has not been reset yet; call Reset before Step");
            int inFlightCount = inFlight.Count(flag => flag);
            if (inFlightCount > 0)
            {
                throw new ZeroGymException(ErrorCodes.InvalidArgument,
                    $"step needs every sub-env's result received; {inFlightCount} sub-envs are in flight (sent by Send or AsyncReset): Receive them first");
            }

            ThrowIfLost(Enumerable.Range(0, NumEnvs));
            var chunks = new List<Chunk>();
            var toStep = new List<Part>();
            foreach (var part in parts)
            {
                if (part.Ids.All(pendingReset.ContainsKey)) chunks.AddRange(part.Ids.Select(TakePendingReset));
                else toStep.Add(part);
            }

            foreach (int id in lostIdle) chunks.Add(LossChunk([id]));
            lostIdle.Clear();
            var outcomes = PostToEveryPart(toStep, part => part.Env.PostStep(Batches.Take(actions, part.Ids)!), (part, pending) =>
            {
                var result = part.Env.AwaitStep(pending);
                return new Chunk(new VectorBatch(part.Ids, result.Observations, result.Rewards, result.Terminated, result.Truncated, result.Info));
            });
            ThrowFirstError(outcomes);
            chunks.AddRange(outcomes.Where(outcome => !outcome.Lost).Select(outcome => OverridePendingResets(outcome.Chunk!)));
            var lost = outcomes.Where(outcome => outcome.Lost).Select(outcome => outcome.Part).ToList();
            foreach (var part in lost) chunks.Add(LossChunk(part.Ids));
            var whole = InGlobalOrder(chunks.Select(chunk => chunk.Batch).ToList(), LostMask(chunks));
            Remember(whole);
            var result = new VectorStepResult(whole.Observations, whole.Rewards, whole.Terminated, whole.Truncated, whole.Info);
            if (lost.Count > 0 && options.OnNodeLost == NodeLossPolicy.Raise)
            {
                foreach (var part in lost) Lose(part, recreate: false);
                throw new NodeLostException(lost[0].Endpoint, lost.SelectMany(part => part.Ids).Order().ToList(), result);
            }

            foreach (var part in lost) Lose(part, recreate: true);
            return result;
        }
    }

    public void AsyncReset(long? seed, IReadOnlyDictionary<string, object?>? resetOptions)
    {
        lock (gate)
        {
            StartAnew(seed);
            MakeMissing();
            foreach (var part in parts)
            {
                part.Env.AsyncReset(seed + part.Ids[0], resetOptions);
                part.InFlight = part.Ids.Length;
            }

            Array.Fill(inFlight, true);
            Array.Fill(delivered, false);
            started = true;
        }
    }

    public void Send(object actions, IReadOnlyList<int> envIds)
    {
        lock (gate)
        {
            CheckSend(envIds);
            ThrowIfLost(envIds);
            var rowsByPart = new Dictionary<Part, (List<int> Rows, List<int> Local)>();
            for (int k = 0; k < envIds.Count; k++)
            {
                int id = envIds[k];
                inFlight[id] = true;
                if (lostIdle.Remove(id)) ready.Add(LossChunk([id]));
                else if (pendingReset.ContainsKey(id)) ready.Add(TakePendingReset(id));
                else
                {
                    var part = owner[id]!;
                    if (!rowsByPart.TryGetValue(part, out var rows)) rowsByPart[part] = rows = ([], []);
                    rows.Rows.Add(k);
                    rows.Local.Add(rowInPart[id]);
                }
            }

            // A 0-d array is a batch of one for one sub-env, as RemoteVectorEnv.Send takes it.
            if (envIds.Count == 1 && actions is NDArray { Rank: 0 } single) actions = new NDArray(single.DType, [1], single.Data);
            foreach (var (part, (rows, local)) in rowsByPart)
            {
                part.Env.SendWithFirstResults(Batches.Take(actions, rows)!, local);
                part.InFlight += local.Count;
            }
        }
    }

    /// <summary>
    /// The first results to finish wherever they ran: as soon as <paramref name="minBatch"/> have, every one already
    /// arrived up to <see cref="BatchSize"/> (the caller checked 1 &lt;= minBatch &lt;= BatchSize).
    /// </summary>
    public VectorBatch Receive(int minBatch)
    {
        lock (gate)
        {
            int available = ready.Sum(chunk => chunk.Batch.Count) + parts.Sum(part => part.InFlight);
            if (available < minBatch)
            {
                throw new ZeroGymException(ErrorCodes.InvalidArgument, minBatch == BatchSize
                    ? $"recv answers with batch_size ({BatchSize}) sub-envs, but only {available} are in flight; send actions to more sub-envs first"
                    : $"recv with min_batch {minBatch} needs that many sub-envs in flight; only {available} are: send actions to more sub-envs first");
            }

            var failures = new List<SubEnvFailure>();
            while (ready.Sum(chunk => chunk.Batch.Count) + failures.Count < minBatch)
            {
                foreach (var part in parts.Where(part => part.InFlight > 0 && part.Receiving is null && part.Awaited is null))
                {
                    part.StartReceiving();
                }

                // What is in flight on lost nodes is all in ready now.
                if (!WaitForAnyOutcome()) break;
                foreach (var part in parts.Where(part => part.Receiving is { IsCompleted: true }).ToList()) Harvest(part, failures);
            }

            // Results that arrived meanwhile from other nodes join the batch: a smaller minBatch never means fewer.
            foreach (var part in parts.Where(part => part.Awaited is not null)) part.TryComplete();
            foreach (var part in parts.Where(part => part.Receiving is { IsCompleted: true }).ToList()) Harvest(part, failures);
            int taking = Math.Max(0, Math.Min(BatchSize, ready.Sum(chunk => chunk.Batch.Count) + failures.Count) - failures.Count);
            var taken = TakeReady(taking);
            foreach (int id in taken.Batch.EnvIds) inFlight[id] = false;
            foreach (var failure in failures) inFlight[failure.EnvId] = false;
            var batch = taken.Batch;
            Remember(batch);
            if (taken.Lost.Any(flag => flag)) batch = batch with { Info = Batches.WithFlag(batch.Info, "node_lost", taken.Lost) };
            return failures.Count == 0 ? batch : throw new SubEnvException(failures, batch);
        }
    }

    public IReadOnlyList<NDArray> Render()
    {
        lock (gate)
        {
            ThrowIfLost(Enumerable.Range(0, NumEnvs));
            var frames = new NDArray[NumEnvs];
            foreach (var part in parts)
            {
                var partFrames = part.Env.Render();
                for (int k = 0; k < part.Ids.Length; k++) frames[part.Ids[k]] = partFrames[k];
            }

            return frames;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var part in parts) part.Close();
            parts.Clear();
            if (ownsPlacer) placer.Dispose();
        }
    }

    public override string ToString() =>
        $"RemoteVectorEnv({envId}, {NumEnvs} envs, batch {BatchSize}, over {string.Join(", ", parts.GroupBy(part => part.Endpoint).Select(group => $"{group.Key} ({group.Sum(part => part.Ids.Length)})"))})";

    /// <summary>Before a reset: results in flight are dropped (each part drops its own), lost sub-envs are made anew next.</summary>
    private void StartAnew(long? seed)
    {
        foreach (var part in parts.ToList()) WaitForReceiving(part);
        ready.Clear();
        pendingReset.Clear();
        lostIdle.Clear();
        Array.Fill(inFlight, false);
        resetSeed = seed;
        started = false;
    }

    /// <summary>
    /// Waits until some part's <c>recv</c> has an outcome (<see cref="Part.Receiving"/> completed); false when no part
    /// receives. While every node answers within <see cref="SlowReply"/>, it waits on the caller's thread, polling the
    /// sockets of all the nodes it awaits at once; a node slower than that (a slow env, or a node that may be lost) has
    /// every <c>recv</c> go on on pool threads, whose waits ask the nodes' probes (<see cref="NodeProbe"/>).
    /// </summary>
    private bool WaitForAnyOutcome()
    {
        while (true)
        {
            var awaited = parts.Where(part => part.Awaited is not null).ToList();
            var receiving = parts.Where(part => part.Receiving is not null).ToList();
            if (awaited.Count == 0 && receiving.Count == 0) return false;
            if (receiving.Any(part => part.Receiving!.IsCompleted)) return true;
            long now = Stopwatch.GetTimestamp();
            // A node on this host answers on its local stream, any other on its ZeroMQ socket.
            var onStream = new List<(Part Part, int Descriptor)>();
            var onZeroMq = new List<Part>();
            foreach (var part in awaited)
            {
                if (part.Env.PollableDescriptor is int descriptor) onStream.Add((part, descriptor));
                else onZeroMq.Add(part);
            }

            var sockets = onZeroMq.Select(part => part.Env.PollableSocket).ToArray();
            if (receiving.Count > 0 || sockets.Contains(null) || awaited.Any(part => Stopwatch.GetElapsedTime(part.AwaitedSince, now) >= SlowReply))
            {
                foreach (var part in awaited) part.ReceiveOnPoolThread();
                Task.WaitAny(parts.Where(part => part.Receiving is not null).Select(part => (Task)part.Receiving!).ToArray());
                return true;
            }

            // Reading a stream stops at the reply awaited, so a later one may wait in its buffer with the descriptor
            // quiet: take what is there first.
            bool taken = false;
            foreach (var (part, _) in onStream) taken |= part.TryComplete();
            if (taken) return true;
            var descriptors = onStream.Select(stream => new FileDescriptorPoll(stream.Descriptor, WantWrite: false)).ToArray();
            var wait = SlowReply - awaited.Max(part => Stopwatch.GetElapsedTime(part.AwaitedSince, now));
            var readable = new bool[sockets.Length];
            ZmqPoller.Poll(sockets!, readable, descriptors, TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(wait.TotalMilliseconds))));
            bool arrived = false;
            for (int k = 0; k < onZeroMq.Count; k++)
            {
                if (readable[k]) arrived |= onZeroMq[k].TryComplete();
            }

            for (int k = 0; k < onStream.Count; k++)
            {
                if (descriptors[k].Readable) arrived |= onStream[k].Part.TryComplete();
            }

            if (arrived) return true;
        }
    }

    /// <summary>Lets a part's pending <c>recv</c> end (its results are dropped by the reset that follows); a lost part is lost.</summary>
    private void WaitForReceiving(Part part)
    {
        if (part.Awaited is not null) part.ReceiveOnPoolThread();
        if (part.Receiving is not { } receiving) return;
        try
        {
            receiving.Wait();
        }
        catch (AggregateException error) when (IsLoss(part, error.InnerException))
        {
            Lose(part, recreate: false);
        }
        catch (AggregateException)
        {
            // The reset that follows starts anew.
        }

        part.Receiving = null;
    }

    private void Harvest(Part part, List<SubEnvFailure> failures)
    {
        var receiving = part.Receiving!;
        part.Receiving = null;
        try
        {
            var batch = receiving.GetAwaiter().GetResult();
            part.InFlight -= batch.Count;
            ready.Add(new Chunk(ToGlobal(part, batch)));
        }
        catch (SubEnvException error)
        {
            part.InFlight -= error.Batch.Count + error.Errors.Count;
            ready.Add(new Chunk(ToGlobal(part, error.Batch)));
            failures.AddRange(error.Errors.Select(failure => failure with { EnvId = part.Ids[failure.EnvId] }));
        }
        catch (Exception error) when (IsLoss(part, error))
        {
            var inFlightThere = part.Ids.Where(id => inFlight[id] && !ready.Any(chunk => chunk.Batch.EnvIds.Contains(id))).ToArray();
            if (options.OnNodeLost == NodeLossPolicy.Raise)
            {
                Lose(part, recreate: false);
                foreach (int id in inFlightThere) inFlight[id] = false;
                throw new NodeLostException(part.Endpoint, part.Ids);
            }

            // A sub-env whose reset never reached the caller has no last observation to be truncated at: its reset
            // on the new node is the result it was waiting for.
            var seen = inFlightThere.Where(id => delivered[id]).ToArray();
            if (seen.Length > 0) ready.Add(LossChunk(seen));
            foreach (int id in part.Ids.Except(inFlightThere)) lostIdle.Add(id);
            Lose(part, recreate: true);
            foreach (int id in inFlightThere.Except(seen)) ready.Add(TakePendingReset(id));
        }
    }

    /// <summary>Whether <paramref name="error"/> of a call to <paramref name="part"/> means its node is lost.</summary>
    private static bool IsLoss(Part part, Exception? error)
    {
        if (error is ServerGoneException) return true;
        // A timeout of a node that still accepts connections is a slow node, not a lost one.
        return error is ServerTimeoutException && !part.Probe.IsAlive();
    }

    /// <summary>
    /// Gives up a lost part. With <paramref name="recreate"/> its sub-envs are made anew on live nodes at once and reset
    /// (their next step gives that reset); otherwise they wait for the next reset, and calls on them throw.
    /// <paramref name="notify"/>: raise <see cref="NodeLost"/> now.
    /// </summary>
    private void Lose(Part part, bool recreate, bool notify = true)
    {
        part.Probe.MarkLost();
        part.Abandon();
        parts.Remove(part);
        lostNodes.Add(part.Endpoint);
        foreach (int id in part.Ids)
        {
            owner[id] = null;
            lostOn[id] = part.Endpoint;
        }

        var newNodes = new List<string>();
        if (recreate)
        {
            foreach (var made in MakeParts(part.Ids))
            {
                var reset = made.Env.Reset(resetSeed + made.Ids[0]);
                var chunk = new Chunk(new VectorBatch(made.Ids, reset.Observations, new double[made.Ids.Length], new bool[made.Ids.Length], new bool[made.Ids.Length], reset.Info));
                for (int k = 0; k < made.Ids.Length; k++) pendingReset[made.Ids[k]] = chunk.Take([k]);
                newNodes.AddRange(made.Ids.Select(_ => made.Endpoint));
            }
        }

        if (notify) NodeLost?.Invoke(new NodeLoss(part.Endpoint, part.Ids, newNodes));
    }

    /// <summary>Makes anew on live nodes the sub-envs lost since the last reset.</summary>
    private void MakeMissing()
    {
        var missing = Enumerable.Range(0, NumEnvs).Where(id => owner[id] is null).ToArray();
        if (missing.Length > 0) MakeParts(missing);
    }

    /// <summary>Places <paramref name="ids"/> (sorted) and makes one part per run of consecutive sub-envs on one node.</summary>
    private List<Part> MakeParts(int[] ids)
    {
        var endpoints = Place(ids.Length);
        var runs = new List<(string Endpoint, int[] Ids)>();
        int start = 0;
        for (int k = 1; k <= ids.Length; k++)
        {
            if (k < ids.Length && endpoints[k] == endpoints[start] && ids[k] == ids[k - 1] + 1) continue;
            runs.Add((endpoints[start], ids[start..k]));
            start = k;
        }

        var made = new Part[runs.Count];
        try
        {
            Parallel.For(0, runs.Count, k => made[k] = MakePart(runs[k].Endpoint, runs[k].Ids));
        }
        catch
        {
            foreach (var part in made) part?.Close();
            throw;
        }

        foreach (var part in made)
        {
            parts.Add(part);
            for (int k = 0; k < part.Ids.Length; k++)
            {
                owner[part.Ids[k]] = part;
                rowInPart[part.Ids[k]] = k;
                lostOn.Remove(part.Ids[k]);
            }
        }

        parts.Sort((a, b) => a.Ids[0].CompareTo(b.Ids[0]));
        return made.ToList();
    }

    private Part MakePart(string endpoint, int[] ids)
    {
        var probe = new NodeProbe(endpoint);
        // A node on this host is reached on its local stream, as a single server is; its loss is watched through the
        // endpoint all the same (the probe), as for a node elsewhere.
        var client = new ZeroGymClient(endpoint, clientOptions with { ServerAlive = probe.IsAlive });
        var arguments = new MakeArguments(envId, options.Kwargs, options.RenderMode, ids.Length);
        return new Part(new RemoteVectorEnv(client, ownsClient: true, arguments, recvsAhead: false), ids, endpoint, probe);
    }

    /// <summary>Asks the cluster where <paramref name="count"/> sub-envs go, leaving out the nodes lost; through a live node when the one addressed is lost.</summary>
    private IReadOnlyList<string> Place(int count)
    {
        string mode = placement switch { NodePlacement.Local => "local", NodePlacement.Pack => "pack", _ => "spread" };
        var exclude = lostNodes.Count > 0 ? lostNodes.ToList() : null;
        if (lostNodes.Contains(placer.Address))
        {
            var live = parts.FirstOrDefault()?.Endpoint
                ?? throw new ZeroGymException("node_lost", $"every node this vector env knew is lost ({string.Join(", ", lostNodes)}); none is left to place its sub-envs");
            if (ownsPlacer) placer.Dispose();
            placer = new ZeroGymClient(live, clientOptions);
            ownsPlacer = true;
            // Local means the node addressed; once it is lost, the node now asked stands in for it.
        }

        return placer.Place(envId, count, mode, exclude);
    }

    private void CheckSend(IReadOnlyList<int> envIds)
    {
        ArgumentNullException.ThrowIfNull(envIds);
        if (!started) throw new ZeroGymException(ErrorCodes.ResetNeeded, "the vector env has not been reset yet; call Reset or AsyncReset before Send");
        if (envIds.Count == 0) throw new ZeroGymException(ErrorCodes.InvalidArgument, "env_id lists no sub-env; send needs at least one");
        var seen = new HashSet<int>();
        for (int k = 0; k < envIds.Count; k++)
        {
            int id = envIds[k];
            string? problem = id < 0 || id >= NumEnvs ? $"is not a sub-env of this vector env, whose sub-envs are 0 to {NumEnvs - 1}"
                : !seen.Add(id) ? "is listed twice; a batch holds each sub-env once"
                : inFlight[id] ? "is in flight: its result has not been received yet (Receive it first)"
                : null;
            if (problem is not null) throw new ZeroGymException(ErrorCodes.InvalidArgument, $"sub-env {id} (env_id[{k}]) {problem}");
        }
    }

    /// <summary>With <see cref="NodeLossPolicy.Raise"/>: a call on sub-envs lost and not yet made anew throws again.</summary>
    private void ThrowIfLost(IEnumerable<int> envIds)
    {
        var lost = envIds.Where(lostOn.ContainsKey).Order().ToList();
        if (lost.Count == 0) return;
        string node = lostOn[lost[0]];
        throw new NodeLostException(node, lost.Where(id => lostOn[id] == node).ToList());
    }

    private Chunk TakePendingReset(int id)
    {
        var chunk = pendingReset[id];
        pendingReset.Remove(id);
        return chunk;
    }

    /// <summary>A synchronous step of a part with some sub-envs made anew: those give their reset instead.</summary>
    private Chunk OverridePendingResets(Chunk stepped)
    {
        var ids = stepped.Batch.EnvIds;
        if (!ids.Any(pendingReset.ContainsKey)) return stepped;
        var kept = Enumerable.Range(0, ids.Length).Where(k => !pendingReset.ContainsKey(ids[k])).ToArray();
        var chunks = new List<Chunk> { stepped.Take(kept) };
        chunks.AddRange(ids.Where(pendingReset.ContainsKey).ToList().Select(TakePendingReset));
        return Chunk.Concat(chunks);
    }

    /// <summary>Lost sub-envs as a step gives them: their last observation, reward 0, truncated, flagged <c>node_lost</c>.</summary>
    private Chunk LossChunk(IReadOnlyList<int> ids)
    {
        var observations = Batches.Concat(ids.Select(id => (Batches.Take(lastObservation[id].Observations, [lastObservation[id].Row]), 1)).ToList())!;
        var batch = new VectorBatch(ids.ToArray(), observations, new double[ids.Count], new bool[ids.Count], Enumerable.Repeat(true, ids.Count).ToArray(),
            new Dictionary<string, object?>());
        return new Chunk(batch, Lost: true);
    }

    private void Remember(VectorBatch batch)
    {
        for (int k = 0; k < batch.Count; k++)
        {
            lastObservation[batch.EnvIds[k]] = (batch.Observations, k);
            delivered[batch.EnvIds[k]] = true;
        }
    }

    /// <summary>The first <paramref name="count"/> ready results, in the order they came; the rest stay ready.</summary>
    private (VectorBatch Batch, bool[] Lost) TakeReady(int count)
    {
        var all = Chunk.Concat(ready);
        ready.Clear();
        if (all.Batch.Count > count) ready.Add(all.Take(Enumerable.Range(count, all.Batch.Count - count).ToArray()));
        var taken = all.Batch.Count == count ? all : all.Take(Enumerable.Range(0, count).ToArray());
        return (taken.Batch, taken.LostMask);
    }

    private static VectorBatch ToGlobal(Part part, VectorBatch batch) => batch with { EnvIds = Array.ConvertAll(batch.EnvIds, local => part.Ids[local]) };

    /// <summary>The entries of <paramref name="batches"/> in sub-env order, flagged <c>node_lost</c> where <paramref name="lost"/> says.</summary>
    private VectorBatch InGlobalOrder(IReadOnlyList<VectorBatch> batches, bool[]? lost = null)
    {
        var all = Batches.Concat(batches);
        var order = new int[NumEnvs];
        for (int k = 0; k < all.Count; k++) order[all.EnvIds[k]] = k;
        var sorted = order.AsSpan().SequenceEqual(Enumerable.Range(0, NumEnvs).ToArray()) ? all : Batches.Take(all, order);
        if (lost is null) return sorted;
        var mask = new bool[NumEnvs];
        for (int k = 0; k < all.Count; k++) mask[all.EnvIds[k]] = lost[k];
        return sorted with { Info = Batches.WithFlag(sorted.Info, "node_lost", mask) };
    }

    private static bool[]? LostMask(List<Chunk> chunks) => chunks.Any(chunk => chunk.Lost) ? Chunk.Concat(chunks).LostMask : null;

    /// <summary>Runs <paramref name="call"/> on every part at once (the first on this thread); a part whose node is lost is reported so, not thrown.</summary>
    private static List<Outcome> OnEveryPart(IReadOnlyList<Part> targets, Func<Part, Chunk> call)
    {
        var others = targets.Skip(1).Select(part => Task.Run(() => Attempt(part, () => call(part)))).ToList();
        var outcomes = new List<Outcome>(targets.Count);
        if (targets.Count > 0) outcomes.Add(Attempt(targets[0], () => call(targets[0])));
        outcomes.AddRange(others.Select(task => task.GetAwaiter().GetResult()));
        return outcomes;
    }

    /// <summary>
    /// Posts a request to every part, then reads each reply in turn on this thread: the nodes work at once as with
    /// <see cref="OnEveryPart"/>, without a hop to a pool thread and back per node and step, which costs the client
    /// more CPU than the rest of its step. A part whose node is lost is reported so, not thrown.
    /// </summary>
    private static List<Outcome> PostToEveryPart(IReadOnlyList<Part> targets, Func<Part, PendingReply> post, Func<Part, PendingReply, Chunk> await)
    {
        var posted = new (PendingReply? Pending, Outcome? Failed)[targets.Count];
        for (int k = 0; k < targets.Count; k++)
        {
            var part = targets[k];
            PendingReply? pending = null;
            var failed = Attempt(part, () =>
            {
                pending = post(part);
                return null;
            });
            posted[k] = (pending, pending is null ? failed : null);
        }

        var outcomes = new List<Outcome>(targets.Count);
        for (int k = 0; k < targets.Count; k++)
        {
            var part = targets[k];
            outcomes.Add(posted[k] is { Pending: { } pending } ? Attempt(part, () => await(part, pending)) : posted[k].Failed!);
        }

        return outcomes;
    }

    /// <summary>The outcome of <paramref name="call"/> on <paramref name="part"/>: its chunk, its node's loss, or its error.</summary>
    private static Outcome Attempt(Part part, Func<Chunk?> call)
    {
        try
        {
            return new Outcome(part, call(), null);
        }
        catch (Exception error) when (IsLoss(part, error))
        {
            return new Outcome(part, null, null);
        }
        catch (Exception error)
        {
            return new Outcome(part, null, error);
        }
    }

    private static void ThrowFirstError(List<Outcome> outcomes)
    {
        if (outcomes.FirstOrDefault(outcome => outcome.Error is not null) is { Error: { } error }) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
    }

    private sealed record Outcome(Part Part, Chunk? Chunk, Exception? Error)
    {
        public bool Lost => Chunk is null && Error is null;
    }

    /// <summary>Results of some sub-envs (global ids); <paramref name="Lost"/>: they are losses (all or none).</summary>
    private sealed record Chunk(VectorBatch Batch, bool Lost = false, bool[]? Mask = null)
    {
        public bool[] LostMask => Mask ?? Enumerable.Repeat(Lost, Batch.Count).ToArray();

        public Chunk Take(IReadOnlyList<int> rows) => new(Batches.Take(Batch, rows), Lost, rows.Select(row => LostMask[row]).ToArray());

        public static Chunk Concat(IReadOnlyList<Chunk> chunks) => chunks.Count == 1 ? chunks[0]
            : new(Batches.Concat(chunks.Select(chunk => chunk.Batch).ToList()), chunks.Any(chunk => chunk.Lost), chunks.SelectMany(chunk => chunk.LostMask).ToArray());
    }

    /// <summary>One node's share: a vector env on a connection of its own; <see cref="Ids"/> are its sub-envs' global ids, consecutive.</summary>
    private sealed class Part(RemoteVectorEnv env, int[] ids, string endpoint, NodeProbe probe)
    {
        public RemoteVectorEnv Env { get; } = env;

        public int[] Ids { get; } = ids;

        public string Endpoint { get; } = endpoint;

        public NodeProbe Probe { get; } = probe;

        /// <summary>Its sub-envs sent to whose results have not come back from the node.</summary>
        public int InFlight { get; set; }

        /// <summary>Its <c>recv</c>'s outcome: completed once its reply came, or under way on a pool thread.</summary>
        public Task<VectorBatch>? Receiving { get; set; }

        /// <summary>The reply of its <c>recv</c>, posted and awaited on the caller's thread (not yet in <see cref="Receiving"/>).</summary>
        public PendingReply? Awaited { get; private set; }

        /// <summary>When the caller began to wait for <see cref="Awaited"/> (<see cref="Stopwatch.GetTimestamp"/>); a <c>recv</c> a send carried may be older.</summary>
        public long AwaitedSince { get; private set; }

        /// <summary>Posts a <c>recv</c> of at least one result and awaits its reply; a failure to post is its outcome.</summary>
        public void StartReceiving()
        {
            try
            {
                Awaited = Env.PostReceive(1);
                AwaitedSince = Stopwatch.GetTimestamp();
            }
            catch (Exception error)
            {
                Receiving = Task.FromException<VectorBatch>(error);
            }
        }

        /// <summary>Takes the awaited reply into <see cref="Receiving"/> if it came (reading without waiting); whether it did.</summary>
        public bool TryComplete()
        {
            try
            {
                if (!Env.ReplyArrived(Awaited!)) return false;
                Receiving = Task.FromResult(Env.Receive(1));
            }
            catch (Exception error)
            {
                Receiving = Task.FromException<VectorBatch>(error);
            }

            Awaited = null;
            return true;
        }

        /// <summary>Leaves the awaited reply to a pool thread, whose wait asks the node's probe while it lasts.</summary>
        public void ReceiveOnPoolThread()
        {
            if (Awaited is null) return;
            Awaited = null;
            Receiving = Task.Run(() => Env.Receive(1));
        }

        /// <summary>Closes the env on its node (after its pending recv ends), or gives up on a lost node without a word.</summary>
        public void Close()
        {
            if (Probe.Lost)
            {
                Abandon();
                return;
            }

            try
            {
                ReceiveOnPoolThread();
                Receiving?.Wait();
            }
            catch (AggregateException)
            {
            }

            try
            {
                Env.Dispose();
            }
            catch (ServerGoneException)
            {
                Env.Abandon();
            }
        }

        /// <summary>Drops the connection without closing the env on a lost node (its pending recv ends with the connection).</summary>
        public void Abandon() => Env.Abandon();
    }
}
