using System.Buffers;
using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Vector;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Bench;

/// <summary>The measurements of scripts/bench, each printing one JSON line.</summary>
internal static class Benchmarks
{
    private const string EnvId = "CartPole-v1";

    /// <summary>
    /// A bare ROUTER that answers every request with a fixed payload: the floor any remote step is compared with.
    /// Runs until killed.
    /// </summary>
    public static void EchoServer(string endpoint, int replyBytes)
    {
        using var context = new ZmqContext();
        using var router = context.CreateSocket(ZmqSocketType.Router);
        router.Linger = 0;
        router.Bind(endpoint);
        Console.WriteLine($"echo listening on {router.LastEndpoint}");
        Console.Out.Flush();
        var reply = new byte[replyBytes];
        using var identity = new ZmqMessage();
        using var request = new ZmqMessage();
        while (true)
        {
            router.Receive(identity);
            router.Receive(request);
            router.Send(identity.Data, more: true);
            router.Send(reply);
        }
    }

    /// <summary>The bare round trip with the request and reply sizes of a CartPole step.</summary>
    public static void Echo(string echoAddress, double seconds)
    {
        var (requestBytes, replyBytes) = StepMessageSizes();
        using var context = new ZmqContext();
        using var dealer = context.CreateSocket(ZmqSocketType.Dealer);
        dealer.Linger = 0;
        dealer.Connect(echoAddress);
        var request = new byte[requestBytes];
        using var reply = new ZmqMessage();
        var result = Measure.Latency("zeromq echo round trip", seconds, () =>
        {
            dealer.Send(request);
            dealer.Receive(reply);
        });
        result["request_bytes"] = requestBytes;
        result["reply_bytes"] = replyBytes;
        Measure.Print(result);
    }

    /// <summary>One remote CartPole through the C# client: a step per call, a reset when the episode ends.</summary>
    public static void RemoteStep(string serverAddress, double seconds)
    {
        using var env = RemoteEnv.Make(EnvId, serverAddress);
        env.Reset(seed: 0);
        var actions = new Random(0);
        Measure.Print(Measure.Latency("c# cartpole step", seconds, () =>
        {
            var step = env.Step((long)actions.Next(2));
            if (step.Terminated || step.Truncated) env.Reset();
        }));
    }

    /// <summary>
    /// A remote vector env through the C# client, synchronous, and (unless <paramref name="asyncEnvs"/> is 0) one through
    /// its asynchronous calls (SPEC.md §3.4) as an agent drives it: receive a batch, choose its actions, send them; the
    /// other sub-envs step meanwhile. The two take turns (<see cref="Measure.Interleaved"/>), so a machine that slows down
    /// meanwhile slows both and their ratio holds. Items are env-steps.
    /// </summary>
    public static void RemoteVectors(string serverAddress, double seconds, int numEnvs, int asyncEnvs, int batchSize)
    {
        using var envs = RemoteVectorEnv.Make(EnvId, numEnvs, serverAddress);
        envs.Reset(seed: 0);
        var actions = new Random(0);
        var batch = new long[numEnvs];
        var operations = new List<Measure.TimedOperation>
        {
            new($"c# cartpole vector {numEnvs} envs", () =>
            {
                for (int i = 0; i < batch.Length; i++) batch[i] = actions.Next(2);
                envs.Step(NDArray.From(batch));
            }, numEnvs),
        };
        using var asyncVector = asyncEnvs > 0 ? RemoteVectorEnv.Make(EnvId, asyncEnvs, serverAddress, batchSize: batchSize) : null;
        if (asyncVector is not null)
        {
            asyncVector.AsyncReset(seed: 0);
            var asyncBatch = new long[batchSize];
            operations.Add(new($"c# cartpole async vector {asyncEnvs}/{batchSize}", () =>
            {
                var received = asyncVector.Receive();
                for (int i = 0; i < asyncBatch.Length; i++) asyncBatch[i] = actions.Next(2);
                asyncVector.Send(NDArray.From(asyncBatch, batchSize), received.EnvIds);
            }, batchSize));
        }

        foreach (var result in Measure.Interleaved(operations, seconds)) Measure.Print(result);
    }

    /// <summary>CartPole stepped in-process, as the server steps it (time limit included).</summary>
    public static void InProcess(double seconds)
    {
        using var env = CartPoleEnv.Spec.Make();
        env.Reset(seed: 0);
        object push = 1L, pull = 0L;
        long steps = 0;
        Measure.Print(Measure.Throughput("in-process cartpole step", seconds, () =>
        {
            var step = env.Step((steps++ & 1) == 0 ? push : pull);
            if (step.Terminated || step.Truncated) env.Reset();
        }));

        using var vector = new SyncVectorEnv(Enumerable.Range(0, 64).Select(_ => CartPoleEnv.Spec.Make()).ToList());
        vector.Reset(Enumerable.Range(0, 64).Select(i => (long?)i).ToList());
        var actions = NDArray.From(Enumerable.Range(0, 64).Select(i => (long)(i & 1)).ToArray());
        Measure.Print(Measure.Throughput("in-process cartpole vector 64 envs", seconds, () => vector.Step(actions), batch: 100, itemsPerCall: 64));
    }

    /// <summary>The server's request handler alone (decode, validate, step, encode), without sockets.</summary>
    public static void Handler(double seconds)
    {
        using var handler = new RequestHandler(BuiltInEnvs.CreateRegistry(), new ServerOptions(), new ServerLog(TextWriter.Null));
        var make = handler.Handle("bench", Request(1, "make", ("env", EnvId)));
        long handle = (long)((Dictionary<object, object?>)WireValue.Deserialize(make)!)["handle"]!;
        handler.Handle("bench", Request(2, "reset", ("handle", handle), ("seed", 0L)));
        var steps = new[] { Request(3, "step", ("handle", handle), ("action", 0L)), Request(4, "step", ("handle", handle), ("action", 1L)) };
        var reset = Request(5, "reset", ("handle", handle));
        // An episode's end shows in the reply as the key followed by MessagePack true (0xc3): found without decoding.
        byte[] terminated = [.. "terminated"u8, 0xc3], truncated = [.. "truncated"u8, 0xc3];
        long count = 0;
        Measure.Print(Measure.Throughput("in-process server handler step", seconds, () =>
        {
            var reply = handler.Handle("bench", steps[count++ & 1]).Span;
            if (reply.IndexOf(terminated) >= 0 || reply.IndexOf(truncated) >= 0) handler.Handle("bench", reset);
        }));

        // A 64-env vector env through the handler: what the remote vector benchmarks cost without sockets.
        const int numEnvs = 64;
        var vectorMade = handler.Handle("bench", Request(6, "make", ("env", EnvId), ("num_envs", (long)numEnvs)));
        long vectorHandle = (long)((Dictionary<object, object?>)WireValue.Deserialize(vectorMade)!)["handle"]!;
        handler.Handle("bench", Request(7, "reset", ("handle", vectorHandle), ("seed", 0L)));
        var random = new Random(0);
        var vectorSteps = Enumerable.Range(0, 64)
            .Select(i => Request(8 + i, "step", ("handle", vectorHandle), ("action", NDArray.From(Enumerable.Range(0, numEnvs).Select(_ => (long)random.Next(2)).ToArray()))))
            .ToArray();
        var vector = Measure.Throughput($"in-process server handler vector {numEnvs} step", seconds,
            () => handler.Handle("bench", vectorSteps[count++ & 63]), batch: 100);
        vector["items_per_s"] = (double)vector["items_per_s"] * numEnvs;
        Measure.Print(vector);

        // Asynchronous (SPEC.md §3.4), 128 sub-envs in two halves of 64: a send of one half is answered at once with the
        // other half's results, then the server steps the half just sent, as for a client that keeps both in flight.
        const int asyncEnvs = 128, batchSize = 64;
        var asyncMade = handler.Handle("bench", Request(100, "make", ("env", EnvId), ("num_envs", (long)asyncEnvs), ("batch_size", (long)batchSize)));
        long asyncHandle = (long)((Dictionary<object, object?>)WireValue.Deserialize(asyncMade)!)["handle"]!;
        handler.Handle("bench", Request(101, "async_reset", ("handle", asyncHandle), ("seed", 0L)));
        while (handler.HasQueuedWork) handler.RunQueuedWork();
        handler.Handle("bench", Request(102, "recv", ("handle", asyncHandle)));
        var halves = Enumerable.Range(0, 2).Select(half => Request(103 + half, "send", ("handle", asyncHandle),
            ("env_id", NDArray.From(Enumerable.Range(half * batchSize, batchSize).Select(i => (long)i).ToArray(), batchSize)),
            ("action", NDArray.From(Enumerable.Range(0, batchSize).Select(_ => (long)random.Next(2)).ToArray(), batchSize)), ("recv", true))).ToArray();
        count = 0;
        var asyncRate = Measure.Throughput($"in-process server handler async {asyncEnvs}/{batchSize} send+recv", seconds, () =>
        {
            var reply = handler.Handle("bench", halves[count++ & 1]).Span;
            if (reply.IsEmpty || reply.IndexOf("error"u8) >= 0) throw new InvalidOperationException("the other half's batch was not ready");
            handler.RunQueuedWork();
        }, batch: 100);
        asyncRate["items_per_s"] = (double)asyncRate["items_per_s"] * batchSize;
        Measure.Print(asyncRate);
    }

    /// <summary>Byte sizes of a CartPole step request and its reply, as the server writes them.</summary>
    public static (int Request, int Reply) StepMessageSizes()
    {
        using var handler = new RequestHandler(BuiltInEnvs.CreateRegistry(), new ServerOptions(), new ServerLog(TextWriter.Null));
        handler.Handle("sizes", Request(1, "make", ("env", EnvId)));
        handler.Handle("sizes", Request(2, "reset", ("handle", 1L), ("seed", 0L)));
        var step = Request(123456, "step", ("handle", 1L), ("action", 1L));
        return (step.Length, handler.Handle("sizes", step).Length);
    }

    internal static byte[] Request(long id, string op, params (string Key, object? Value)[] fields)
    {
        var request = new Dictionary<string, object?> { ["id"] = id, ["op"] = op };
        foreach (var (key, value) in fields) request[key] = value;
        return WireValue.Serialize(request);
    }

    /// <summary>One DQN gradient step (sample, forward, backward, clip, Adam) with the default options on CartPole's sizes.</summary>
    public static void DqnUpdate(double seconds)
    {
        var options = new ZeroGym.Agents.Dqn.Options();
        var device = ZeroGym.Torch.Device.Cpu;
        using var q = ZeroGym.Agents.Dqn.QNetwork(4, 2, options.HiddenSizes, device);
        using var target = ZeroGym.Agents.Dqn.QNetwork(4, 2, options.HiddenSizes, device);
        using var optimizer = new ZeroGym.Torch.Adam(q.Parameters(), options.LearningRate);
        var buffer = new ZeroGym.Agents.Common.ReplayBuffer(10_000, 4);
        var random = new ZeroGym.Agents.Common.SeededRandom(0);
        float[] observation = new float[4], next = new float[4];
        for (int i = 0; i < 10_000; i++)
        {
            for (int j = 0; j < 4; j++) (observation[j], next[j]) = ((float)random.NextGaussian(), (float)random.NextGaussian());
            buffer.Add(observation, [random.Next(2)], 1f, next, random.Next(20) == 0);
        }

        var result = Measure.Latency($"dqn update (batch {options.BatchSize}, {string.Join("-", options.HiddenSizes)} hidden)", seconds,
            () => ZeroGym.Agents.Dqn.Update(q, target, optimizer, buffer.Sample(options.BatchSize, random), options, device));
        Measure.Print(result);
    }

    /// <summary>
    /// The computation of one A2C iteration with the default options on CartPole's sizes, part by part: drawing one
    /// group's actions (the forward pass of 16 observations, as the overlapped rollout does it) and the update on a
    /// rollout of 5 steps of 32 envs.
    /// </summary>
    public static void A2cUpdate(double seconds)
    {
        var options = new ZeroGym.Agents.A2c.Options();
        var device = ZeroGym.Torch.Device.Cpu;
        const int numEnvs = 32, observationSize = 4, actions = 2;
        int horizon = options.StepsPerUpdate, groupSize = numEnvs / options.EnvGroups;
        ZeroGym.Torch.LibTorch.ManualSeed(0);
        using var network = ZeroGym.Agents.A2c.ActorCritic(observationSize, actions, options.HiddenSizes, device);
        using var optimizer = new ZeroGym.Torch.Adam(network.Parameters(), options.LearningRate);
        var random = new ZeroGym.Agents.Common.SeededRandom(0);
        var observations = new float[(horizon + 1) * numEnvs * observationSize];
        for (int i = 0; i < observations.Length; i++) observations[i] = (float)random.NextGaussian();
        var takenActions = new long[horizon * numEnvs];
        var rewards = new double[horizon * numEnvs];
        var terminated = new bool[horizon * numEnvs];
        var truncated = new bool[horizon * numEnvs];
        var valid = new float[horizon * numEnvs];
        for (int k = 0; k < takenActions.Length; k++)
        {
            (takenActions[k], rewards[k], terminated[k], valid[k]) = (random.Next(actions), 1, random.Next(20) == 0, random.Next(20) == 0 ? 0 : 1);
        }

        Measure.Print(Measure.Latency($"a2c action draw ({groupSize} observations)", seconds,
            () => ZeroGym.Agents.A2c.PolicyProbabilities(network, observations.AsSpan(0, groupSize * observationSize), groupSize, actions, device)));
        Measure.Print(Measure.Latency($"a2c update ({horizon} steps of {numEnvs} envs)", seconds,
            () => ZeroGym.Agents.A2c.Update(network, optimizer, options, observations, takenActions, rewards, terminated, truncated, valid, numEnvs, actions, device)));
    }

    /// <summary>
    /// One ddqn-mario gradient step with the default options (batch 32 of 4x84x84 frames, the Nature CNN), sampling
    /// included, and one greedy action (the forward pass of a single observation); then the update's first two parts
    /// alone: sampling the batch from the replay buffer, and turning its two uint8 batches into float32 tensors.
    /// <paramref name="threads"/> sets libtorch's threads (0: its default). tests/bench/pytorch_ddqn_mario_update.py
    /// is its PyTorch twin.
    /// </summary>
    public static void MarioDdqnUpdate(double seconds, int threads)
    {
        if (threads > 0) ZeroGym.Torch.LibTorch.Threads = threads;
        var options = new ZeroGym.Agents.MarioDdqn.Options();
        var device = ZeroGym.Torch.Device.Cpu;
        const int stack = 4, side = 84, actions = 2;
        ZeroGym.Torch.LibTorch.ManualSeed(0);
        using var q = ZeroGym.Agents.Common.Networks.NatureCnn(stack, side, side, actions, device);
        using var target = ZeroGym.Agents.Common.Networks.NatureCnn(stack, side, side, actions, device);
        using var optimizer = new ZeroGym.Torch.Adam(q.Parameters(), options.LearningRate);
        var buffer = new ZeroGym.Agents.Common.FrameReplayBuffer(2_000, stack, side * side);
        var random = new ZeroGym.Agents.Common.SeededRandom(0);
        byte[] observation = new byte[stack * side * side], next = new byte[observation.Length];
        for (int i = 0; i < 2_000; i++)
        {
            for (int j = 0; j < next.Length; j++) next[j] = (byte)random.Next(256);
            buffer.Add(observation, random.Next(actions), 1f, next, random.Next(100) == 0);
            (observation, next) = (next, observation);
        }

        var batch = new ZeroGym.Agents.Common.FrameBatch(options.BatchSize, buffer.ObservationBytes);
        long[] shape = [options.BatchSize, stack, side, side];
        void Print(Dictionary<string, object> result)
        {
            result["threads"] = ZeroGym.Torch.LibTorch.Threads;
            Measure.Print(result);
        }

        Print(Measure.Latency($"ddqn-mario update (batch {options.BatchSize} of {stack}x{side}x{side})", seconds, () =>
        {
            buffer.Sample(batch, random);
            ZeroGym.Agents.MarioDdqn.Update(q, target, optimizer, batch, shape, options.Gamma, device);
        }));
        var frames = ZeroGym.Arrays.NDArray.From(observation, stack, side, side);
        Print(Measure.Latency($"ddqn-mario greedy action (one {stack}x{side}x{side} observation)", seconds,
            () => ZeroGym.Agents.MarioDdqn.GreedyAction(q, frames, device)));
        Print(Measure.Latency($"ddqn-mario update, part: sampling the batch", seconds, () => buffer.Sample(batch, random)));
        Print(Measure.Latency($"ddqn-mario update, part: both uint8 batches to float32", seconds, () =>
        {
            using var scope = ZeroGym.Torch.LibTorch.NewDisposeScope();
            ZeroGym.Agents.MarioDdqn.Pixels(batch.Observations, shape, device);
            ZeroGym.Agents.MarioDdqn.Pixels(batch.NextObservations, shape, device);
        }));
    }

    /// <summary>
    /// One DDPG, TD3 or SAC update (sample into a reused batch, critic step, and the actor and target step of every second
    /// call; SAC's two policy and temperature steps of every second call and target step of every call) with the default
    /// options (batch 256, 256-256 networks) on HalfCheetah's sizes: 17 observations, 6 actions in [-1, 1]. Several
    /// algorithms take turns (<see cref="Measure.Interleaved"/>), so their ratio holds on a busy machine.
    /// </summary>
    public static void ActorCriticUpdate(IReadOnlyList<string> algorithms, double seconds)
    {
        var learners = new List<ZeroGym.Agents.Common.ActorCriticLoop.Learner>();
        try
        {
            var operations = new List<Measure.TimedOperation>();
            foreach (string algorithm in algorithms)
            {
                var (learner, update) = ActorCriticUpdate(algorithm);
                learners.Add(learner);
                operations.Add(new($"{algorithm} update (batch 256, 256-256 hidden, HalfCheetah sizes)", update));
            }

            var results = Measure.Interleaved(operations, seconds);
            foreach (var result in results) Measure.Print(result);
            if (results.Count == 2)
            {
                // The second update against the first in the figures that compare them: the mean, since both alternate
                // between updates with and without policy steps, and the CPU time.
                double Ratio(string figure) => Math.Round(Convert.ToDouble(results[1][figure]) / Convert.ToDouble(results[0][figure]), 3);
                Measure.Print(new Dictionary<string, object>
                {
                    ["name"] = $"{algorithms[1]} update over {algorithms[0]} update",
                    ["mean_ratio"] = Ratio("mean_us"),
                    ["cpu_ratio"] = Ratio("cpu_us_per_call"),
                });
            }
        }
        finally
        {
            foreach (var learner in learners)
            {
                foreach (var (_, optimizer) in learner.Optimizers) optimizer.Dispose();
                foreach (var (_, network) in learner.Networks) network.Dispose();
            }
        }
    }

    /// <summary>A learner of <paramref name="algorithm"/> with its default options and the call that samples a batch
    /// of a replay buffer of random transitions and updates it.</summary>
    private static (ZeroGym.Agents.Common.ActorCriticLoop.Learner Learner, Action Update) ActorCriticUpdate(string algorithm)
    {
        const int observationSize = 17, actionSize = 6;
        var device = ZeroGym.Torch.Device.Cpu;
        ZeroGym.Torch.LibTorch.ManualSeed(0);
        var bounds = new ZeroGym.Agents.Common.BoxActions(Enumerable.Repeat(-1f, actionSize).ToArray(), Enumerable.Repeat(1f, actionSize).ToArray());
        var (learner, batchSize) = algorithm switch
        {
            "ddpg" => (ZeroGym.Agents.Ddpg.Build(new ZeroGym.Agents.Ddpg.Options(), observationSize, actionSize, device), new ZeroGym.Agents.Ddpg.Options().BatchSize),
            "td3" => (ZeroGym.Agents.Td3.Build(new ZeroGym.Agents.Td3.Options(), observationSize, actionSize, device), new ZeroGym.Agents.Td3.Options().BatchSize),
            "sac" => (ZeroGym.Agents.Sac.Build(new ZeroGym.Agents.Sac.Options(), observationSize, bounds, device), new ZeroGym.Agents.Sac.Options().BatchSize),
            _ => throw new ArgumentException($"expected ddpg, td3 or sac; got {algorithm}", nameof(algorithm)),
        };
        var buffer = new ZeroGym.Agents.Common.ReplayBuffer(10_000, observationSize, actionSize);
        var random = new ZeroGym.Agents.Common.SeededRandom(0);
        float[] observation = new float[observationSize], next = new float[observationSize], action = new float[actionSize];
        for (int i = 0; i < 10_000; i++)
        {
            for (int j = 0; j < observationSize; j++) (observation[j], next[j]) = ((float)random.NextGaussian(), (float)random.NextGaussian());
            for (int j = 0; j < actionSize; j++) action[j] = (float)(2 * random.NextDouble() - 1);
            buffer.Add(observation, action, (float)random.NextGaussian(), next, false);
        }

        var batch = new ZeroGym.Agents.Common.Batch(
            new float[batchSize * observationSize], new float[batchSize * actionSize], new float[batchSize],
            new float[batchSize * observationSize], new float[batchSize], batchSize);
        long step = 0;
        void Update()
        {
            buffer.SampleInto(batch, random);
            learner.Update(batch, ++step, random, false);
        }

        return (learner, Update);
    }
    /// <summary>
    /// One whole PPO update with the default options on a random rollout: old log-probabilities and values, GAE, and
    /// every epoch's minibatch steps. <paramref name="continuous"/> picks ppo_continuous_action.py's settings on
    /// HalfCheetah's sizes (17 observations, 6 action values, 1 env × 2048 steps, 10 epochs of 32 minibatches) instead
    /// of ppo.py's on CartPole's (4 observations, 2 actions, 4 envs × 128 steps, 4 epochs of 4 minibatches).
    /// </summary>
    public static void PpoUpdate(double seconds, bool continuous, int threads)
    {
        if (threads > 0) ZeroGym.Torch.LibTorch.Threads = threads;
        var options = new ZeroGym.Agents.Ppo.Options();
        var device = ZeroGym.Torch.Device.Cpu;
        int observationSize = continuous ? 17 : 4, actionSize = continuous ? 6 : 2, numEnvs = continuous ? 1 : 4;
        var box = continuous ? new ZeroGym.Agents.Common.BoxActions(Enumerable.Repeat(-1f, actionSize).ToArray(), Enumerable.Repeat(1f, actionSize).ToArray()) : null;
        var settings = options.Resolve(continuous, numEnvs);
        int batchSize = numEnvs * settings.StepsPerRollout;
        ZeroGym.Torch.LibTorch.ManualSeed(0);
        using var agent = new ZeroGym.Agents.Ppo.Agent(observationSize, actionSize, box, options.HiddenSizes, device);
        using var optimizer = new ZeroGym.Torch.Adam(agent.Parameters(), settings.LearningRate, eps: 1e-5);
        var random = new ZeroGym.Agents.Common.SeededRandom(0);
        var observations = new float[(batchSize + numEnvs) * observationSize];
        for (int i = 0; i < observations.Length; i++) observations[i] = (float)random.NextGaussian();
        var discreteActions = new long[continuous ? 0 : batchSize];
        var boxActions = new float[continuous ? batchSize * actionSize : 0];
        for (int k = 0; k < discreteActions.Length; k++) discreteActions[k] = random.Next(actionSize);
        for (int k = 0; k < boxActions.Length; k++) boxActions[k] = (float)random.NextGaussian();
        var rewards = new float[batchSize];
        var terminated = new bool[batchSize];
        var truncated = new bool[batchSize];
        var valid = new bool[batchSize];
        for (int k = 0; k < batchSize; k++) (rewards[k], terminated[k], valid[k]) = ((float)random.NextGaussian(), random.Next(200) == 0, true);

        string what = continuous
            ? $"ppo update (continuous: {batchSize} steps, {settings.UpdateEpochs} epochs of {settings.Minibatches} minibatches, HalfCheetah sizes)"
            : $"ppo update (discrete: {batchSize} steps, {settings.UpdateEpochs} epochs of {settings.Minibatches} minibatches, CartPole sizes)";
        var result = Measure.Latency(what, seconds, () => ZeroGym.Agents.Ppo.Update(
            agent, optimizer, options, settings, random, observations, discreteActions, boxActions, rewards, terminated, truncated, valid, numEnvs));
        result["threads"] = ZeroGym.Torch.LibTorch.Threads;
        Measure.Print(result);
    }
}
