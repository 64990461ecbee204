using ZeroGym.Arrays;
using ZeroGym.Envs.MuJoCo;
using ZeroGym.Envs.MuJoCo.HalfCheetah;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Bench;

/// <summary>
/// HalfCheetah-v5 at three distances from MuJoCo: the raw C loop, the env in-process (as the server steps it), and
/// through the C# client for one env and a vector env. All replay the same random actions.
/// </summary>
internal static class MuJoCoBenchmarks
{
    private const string EnvId = "HalfCheetah-v5";
    private const int EpisodeSteps = 1000;
    private const int ActionRows = 64;
    // The remote benchmarks' sizes: 16 envs stepped together, and 32 stepped asynchronously in batches of 16.
    private static readonly int[] VectorSizes = [16, 32];

    /// <summary>
    /// The raw loop (ctrl, 5 mj_step, mj_rnePostConstraint; a reset per 1000 steps), then the env in-process as the
    /// server steps it (time limit included), then the server's request handler around it.
    /// </summary>
    public static void InProcess(double seconds)
    {
        var actions = Actions();
        using (var simulation = MuJoCoSimulation.Load(MuJoCoSimulation.ShippedModelPath("half_cheetah.xml")))
        {
            double[] controls = [.. actions.SelectMany(action => action.AsSpan<float>().ToArray().Select(torque => (double)torque))];
            Measure.Print(Measure.Throughput("raw mujoco halfcheetah step (C loop)", seconds,
                () => simulation.TimeRawLoop(controls, EpisodeSteps, HalfCheetahEnv.FrameSkip, EpisodeSteps), batch: 1, itemsPerCall: EpisodeSteps));
        }

        using var env = HalfCheetahEnv.Spec.Make();
        env.Reset(seed: 0);
        long steps = 0;
        Measure.Print(Measure.Throughput("in-process halfcheetah step", seconds, () =>
        {
            var step = env.Step(actions[steps++ % ActionRows]);
            if (step.Truncated) env.Reset();
        }, batch: 200));

        // The same through the server's request handler (decode, validate, step, encode), without sockets.
        using var handler = new RequestHandler(BuiltInEnvs.CreateRegistry(), new ServerOptions(), new ServerLog(TextWriter.Null));
        var made = (Dictionary<object, object?>)WireValue.Deserialize(handler.Handle("bench", Benchmarks.Request(1, "make", ("env", EnvId))))!;
        long handle = (long)made["handle"]!;
        handler.Handle("bench", Benchmarks.Request(2, "reset", ("handle", handle), ("seed", 0L)));
        var stepRequests = actions.Select((action, i) => Benchmarks.Request(3 + i, "step", ("handle", handle), ("action", action))).ToArray();
        var reset = Benchmarks.Request(2, "reset", ("handle", handle));
        byte[] truncated = [.. "truncated"u8, 0xc3];
        long calls = 0;
        Measure.Print(Measure.Throughput("in-process server handler halfcheetah step", seconds, () =>
        {
            if (handler.Handle("bench", stepRequests[calls++ % ActionRows]).Span.IndexOf(truncated) >= 0) handler.Handle("bench", reset);
        }, batch: 200));

        // Vector envs through the handler, stepped over every core: what the remote vector benchmarks cost without sockets.
        foreach (int numEnvs in VectorSizes)
        {
            var vectorMade = (Dictionary<object, object?>)WireValue.Deserialize(
                handler.Handle("bench", Benchmarks.Request(1, "make", ("env", EnvId), ("num_envs", (long)numEnvs))))!;
            long vectorHandle = (long)vectorMade["handle"]!;
            handler.Handle("bench", Benchmarks.Request(2, "reset", ("handle", vectorHandle), ("seed", 0L)));
            var vectorRequests = VectorActions(actions, numEnvs)
                .Select((batch, i) => Benchmarks.Request(3 + i, "step", ("handle", vectorHandle), ("action", batch))).ToArray();
            long vectorCalls = 0;
            var vector = Measure.Throughput($"in-process server handler halfcheetah vector {numEnvs} step", seconds,
                () => handler.Handle("bench", vectorRequests[vectorCalls++ % ActionRows]), batch: 10);
            vector["items_per_s"] = (double)vector["items_per_s"] * numEnvs;
            Measure.Print(vector);
        }

        HandlerAsync(handler, actions, seconds, numEnvs: 32, batchSize: 16);
    }

    /// <summary>
    /// The asynchronous calls through the handler (SPEC.md §3.4) without sockets: each send asks for the next batch, and
    /// the queued work runs until its reply is out, a batch at a time over the cores. A handler without worker threads
    /// runs them so, in the caller's thread; the server's loop hands them to its worker threads instead, and goes on
    /// serving meanwhile.
    /// </summary>
    private static void HandlerAsync(RequestHandler handler, NDArray[] actions, double seconds, int numEnvs, int batchSize)
    {
        var made = (Dictionary<object, object?>)WireValue.Deserialize(handler.Handle("bench", Benchmarks.Request(
            1, "make", ("env", EnvId), ("num_envs", (long)numEnvs), ("batch_size", (long)batchSize))))!;
        long handle = (long)made["handle"]!;
        var batches = VectorActions(actions, batchSize);
        byte[]? reply = null;
        void Answered(string client, ReadOnlySpan<byte> payload) => reply = payload.ToArray();
        long[] Receive(ReadOnlyMemory<byte> immediate)
        {
            reply = immediate.IsEmpty ? null : immediate.ToArray();
            while (reply is null)
            {
                handler.RunQueuedWork();
                handler.FlushHeldReplies(Answered);
            }

            return WireFormat.ReadArray(((Dictionary<object, object?>)WireValue.Deserialize(reply)!)["env_id"], "env_id").ToArray<long>();
        }

        var envIds = Receive(handler.Handle("bench", Benchmarks.Request(2, "async_reset", ("handle", handle), ("seed", 0L), ("recv", true))));
        var pending = Receive(handler.Handle("bench", Benchmarks.Request(3, "recv", ("handle", handle))));
        long calls = 0;
        var result = Measure.Throughput($"in-process server handler halfcheetah async vector {numEnvs}/{batchSize}", seconds, () =>
        {
            var sent = handler.Handle("bench", Benchmarks.Request(4 + calls, "send", ("handle", handle), ("env_id", NDArray.From(envIds, envIds.Length)),
                ("action", batches[calls % ActionRows]), ("recv", true)));
            calls++;
            (envIds, pending) = (pending, Receive(sent));
        }, batch: 10);
        result["items_per_s"] = (double)result["items_per_s"] * batchSize;
        Measure.Print(result);
    }

    /// <summary>One remote HalfCheetah, then a remote vector env of <paramref name="numEnvs"/>, through the C# client.</summary>
    public static void Remote(string serverAddress, double seconds, int numEnvs)
    {
        var actions = Actions();
        using (var env = RemoteEnv.Make(EnvId, serverAddress))
        {
            env.Reset(seed: 0);
            long steps = 0;
            Measure.Print(Measure.Latency("c# halfcheetah step", seconds, () =>
            {
                var step = env.Step(actions[steps++ % ActionRows]);
                if (step.Truncated) env.Reset();
            }));
        }

        using var envs = RemoteVectorEnv.Make(EnvId, numEnvs, serverAddress);
        MeasureSteps(envs, $"c# halfcheetah vector {numEnvs} envs", seconds);
    }

    /// <summary>
    /// A remote vector env of <paramref name="numEnvs"/> through the C# client's asynchronous calls: receive the first
    /// <paramref name="batchSize"/> to finish, send their next actions, while the server steps the others.
    /// </summary>
    public static void RemoteAsync(string serverAddress, double seconds, int numEnvs, int batchSize)
    {
        using var envs = RemoteVectorEnv.Make(EnvId, numEnvs, serverAddress, batchSize: batchSize);
        MeasureFirstReady(envs, $"c# halfcheetah async vector {numEnvs}/{batchSize}", seconds);
    }

    /// <summary>
    /// A vector env of <paramref name="numEnvs"/> placed over a cluster's nodes by the node at <paramref name="serverAddress"/>
    /// (<paramref name="placement"/>; <see cref="NodePlacement.Local"/> keeps them all there), stepped through the C#
    /// client: synchronously, or with <paramref name="batchSize"/> below <paramref name="numEnvs"/> by receiving the first
    /// batch to finish anywhere and sending its next actions. With <paramref name="besideLocal"/>, a vector env of as many
    /// sub-envs on that node alone is stepped the same way in turns with it (<see cref="Measure.Interleaved"/>), so the
    /// VM's drift falls on both alike; scripts/bench-cluster --pinned compares the two.
    /// </summary>
    public static void Placed(string serverAddress, double seconds, int numEnvs, NodePlacement placement, int batchSize, bool besideLocal)
    {
        // Local is the plain vector env of one server, as a client that does not ask for a placement gets. The placed
        // env is made first: the placement counts the envs each node holds, and the local one would unbalance it.
        using var envs = Make(placement);
        using var local = besideLocal ? Make(NodePlacement.Local) : null;
        var placed = Timed(envs, placement);
        if (local is null) Measure.Print(Measure.Latency(placed.Name, seconds, placed.Operation, placed.ItemsPerCall));
        else foreach (var result in Measure.Interleaved([placed, Timed(local, NodePlacement.Local)], seconds)) Measure.Print(result);

        RemoteVectorEnv Make(NodePlacement where) => RemoteVectorEnv.Make(EnvId, numEnvs,
            new VectorEnvOptions { Placement = where == NodePlacement.Local ? null : where, BatchSize = batchSize }, serverAddress);

        Measure.TimedOperation Timed(RemoteVectorEnv vector, NodePlacement where)
        {
            string name = $"c# halfcheetah {where.ToString().ToLowerInvariant()} vector {numEnvs}";
            return batchSize >= numEnvs ? new(name, StepOperation(vector), numEnvs) : new($"{name}/{batchSize}", FirstReadyOperation(vector), batchSize);
        }
    }

    /// <summary>Synchronous steps of every sub-env; the vector env resets finished ones itself (Gymnasium's autoreset).</summary>
    private static void MeasureSteps(RemoteVectorEnv envs, string name, double seconds) =>
        Measure.Print(Measure.Latency(name, seconds, StepOperation(envs), itemsPerCall: envs.NumEnvs));

    /// <summary>Receive the first batch to finish, send its next actions, while the others step.</summary>
    private static void MeasureFirstReady(RemoteVectorEnv envs, string name, double seconds) =>
        Measure.Print(Measure.Latency(name, seconds, FirstReadyOperation(envs), itemsPerCall: envs.BatchSize));

    /// <summary>Resets <paramref name="envs"/> and returns one synchronous step of all its sub-envs.</summary>
    private static Action StepOperation(RemoteVectorEnv envs)
    {
        var batches = VectorActions(Actions(), envs.NumEnvs);
        envs.Reset(seed: 0);
        long calls = 0;
        return () => envs.Step(batches[calls++ % ActionRows]);
    }

    /// <summary>Resets <paramref name="envs"/> without waiting and returns one turn of the asynchronous loop: receive a batch, send its actions.</summary>
    private static Action FirstReadyOperation(RemoteVectorEnv envs)
    {
        var batches = VectorActions(Actions(), envs.BatchSize);
        envs.AsyncReset(seed: 0);
        long calls = 0;
        return () =>
        {
            var received = envs.Receive();
            envs.Send(batches[calls++ % ActionRows], received.EnvIds);
        };
    }

    /// <summary>One batch of actions per row: sub-env i of row r takes action r + i.</summary>
    private static NDArray[] VectorActions(NDArray[] actions, int numEnvs) =>
    [
        .. Enumerable.Range(0, ActionRows).Select(row =>
            NDArray.From(Enumerable.Range(0, numEnvs).SelectMany(i => actions[(row + i) % ActionRows].AsSpan<float>().ToArray()).ToArray(), numEnvs, 6)),
    ];

    private static NDArray[] Actions()
    {
        var random = new Random(0);
        return [.. Enumerable.Range(0, ActionRows).Select(_ => NDArray.From(Enumerable.Range(0, 6).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray()))];
    }
}
