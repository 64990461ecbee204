using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Core;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Tests.Server;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.Client;

/// <summary>
/// The C# client's asynchronous vector env (SPEC.md §3.4) against a real server that delays each sub-env's step and
/// reset at random, so results finish in an order no test can predict: whatever the order, each sub-env must give what
/// a single env seeded seed + i gives for the same actions.
/// </summary>
public sealed class RemoteVectorEnvAsyncTests
{
    private const long Seed = 100;

    // A short time limit, so that episodes end (truncated or terminated) and autoresets happen often.
    private static readonly Dictionary<string, object?> ShortEpisodes = new() { ["max_episode_steps"] = 12L };

    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static TestServer DelayingServer(int maxDelayMicroseconds = 300) =>
        new(new ServerOptions { InjectedDelay = TimeSpan.FromMicroseconds(maxDelayMicroseconds) });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void EachSubEnv_GivesTheResultsOfASingleEnvSeededSeedPlusI_WhateverTheOrder(int batchSize)
    {
        const int numEnvs = 7;
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", numEnvs, server.Address, ShortEpisodes, options: Quick, batchSize: batchSize);
        Assert.Equal(batchSize, envs.BatchSize);
        var driver = new Driver(envs, new Random(batchSize));
        driver.AsyncReset();
        int endedEpisodes = 0;
        for (int round = 0; round < 150; round++)
        {
            var batch = driver.Receive();
            endedEpisodes += batch.Terminated.Count(ended => ended) + batch.Truncated.Count(ended => ended);
            driver.SendToRandomIdleSubset();
        }

        Assert.True(endedEpisodes > 5, $"the test should cover autoresets; {endedEpisodes} episodes ended");
        Assert.True(driver.NeverSentStayedAway);
    }

    [Fact]
    public void ReceiveWithAMinimum_GivesWhateverIsReady_FromItToTheBatchSize_EachSubEnvWithItsOwnResults()
    {
        const int numEnvs = 6;
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", numEnvs, server.Address, ShortEpisodes, options: Quick);
        Assert.Throws<ArgumentOutOfRangeException>(() => envs.Receive(minBatch: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => envs.Receive(minBatch: numEnvs + 1));
        var driver = new Driver(envs, new Random(5));
        driver.AsyncReset();
        driver.Receive();
        var sizes = new List<int>();
        for (int round = 0; round < 60; round++)
        {
            var idle = driver.IdleSubEnvs().ToArray();
            if (idle.Length > 0) driver.Send(idle[..(1 + (round % idle.Length))]);
            sizes.Add(driver.Receive(minBatch: 1).Count);
        }

        Assert.All(sizes, size => Assert.InRange(size, 1, numEnvs));
        Assert.Contains(sizes, size => size < numEnvs);
        Assert.True(driver.NeverSentStayedAway);
    }

    [Fact]
    public void SubEnvsNeverSentTo_NeverComeBack()
    {
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", 6, server.Address, ShortEpisodes, options: Quick, batchSize: 2);
        var driver = new Driver(envs, new Random(1));
        driver.AsyncReset();
        // Sub-envs 4 and 5 are received once (their reset) and never sent to again; the driver fails on any sub-env
        // that comes back without being in flight.
        for (int round = 0; round < 40; round++)
        {
            var batch = driver.Receive();
            var again = batch.EnvIds.Where(envId => envId < 4).ToArray();
            if (again.Length > 0) driver.Send(again);
            while (driver.InFlight < 2) driver.Send([driver.IdleSubEnvs().First(envId => envId < 4)]);
        }

        Assert.All(new[] { 4, 5 }, envId => Assert.Equal(1, driver.ReceivedAfterReset(envId)));
    }

    [Fact]
    public void SendingToAnInFlightSubEnv_Throws_AndChangesNothing()
    {
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", 4, server.Address, ShortEpisodes, options: Quick, batchSize: 2);
        var driver = new Driver(envs, new Random(2));
        driver.AsyncReset();
        var first = driver.Receive();
        driver.Send(first.EnvIds);
        int inFlight = Enumerable.Range(0, 4).First(envId => !driver.IdleSubEnvs().Contains(envId));

        var error = Assert.Throws<ZeroGymException>(() => envs.Send(NDArray.From(new long[] { 0 }), [inFlight]));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"sub-env {inFlight} ", error.Message);
        Assert.Contains("in flight", error.Message);

        // The rest of what the server rejects as a whole is rejected here too, naming the sub-env or the count.
        int idle = driver.IdleSubEnvs().FirstOrDefault(-1);
        AssertRejected(ErrorCodes.InvalidArgument, "no sub-env", () => envs.Send(NDArray.From(Array.Empty<long>()), []));
        AssertRejected(ErrorCodes.InvalidArgument, "sub-env 4 ", () => envs.Send(NDArray.From(new long[] { 0 }), [4]));
        AssertRejected(ErrorCodes.InvalidArgument, "sub-env -1 ", () => envs.Send(NDArray.From(new long[] { 0 }), [-1]));
        if (idle >= 0)
        {
            AssertRejected(ErrorCodes.InvalidArgument, "twice", () => envs.Send(NDArray.From(new long[] { 0, 1 }), [idle, idle]));
            AssertRejected(ErrorCodes.InvalidAction, "expected 1 actions", () => envs.Send(NDArray.From(new long[] { 0, 1 }), [idle]));
        }

        // Nothing changed: every sub-env goes on exactly as its reference.
        for (int round = 0; round < 30; round++)
        {
            driver.Receive();
            driver.SendToRandomIdleSubset();
        }
    }

    [Fact]
    public void BeforeAnyReset_SendIsResetNeeded_AndAReceiveWithNothingInFlightIsRejected()
    {
        using var server = new TestServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", 3, server.Address, options: Quick, batchSize: 2);
        AssertRejected(ErrorCodes.ResetNeeded, "reset", () => envs.Send(NDArray.From(new long[] { 0 }), [0]));
        envs.Reset(seed: 0);
        AssertRejected(ErrorCodes.InvalidArgument, "batch_size (2)", () => envs.Receive());
        envs.Send(NDArray.From(new long[] { 0 }), [0]);
        AssertRejected(ErrorCodes.InvalidArgument, "only 1 sent", () => envs.Receive());
        AssertRejected(ErrorCodes.InvalidArgument, "in flight", () => envs.Step(NDArray.From(new long[] { 0, 0, 0 })));
        envs.Send(NDArray.From(new long[] { 1 }), [2]);
        Assert.Equal(new[] { 0, 2 }, envs.Receive().EnvIds.Order().ToArray());
    }

    [Fact]
    public void AnInvalidActionOfOneSubEnv_ThrowsSubEnvException_WithTheOthersResults_AndLeavesItUnchanged()
    {
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", 4, server.Address, ShortEpisodes, options: Quick);
        using var reference = new Reference(4, ShortEpisodes);
        envs.AsyncReset(seed: Seed);
        var reset = envs.Receive();
        for (int k = 0; k < 4; k++) AssertResult(reference.Reset(reset.EnvIds[k], Seed + reset.EnvIds[k]), reset, k);

        envs.Send(NDArray.From(new long[] { 0, 7, 1, 1 }), [0, 1, 2, 3]);
        var failed = Assert.Throws<SubEnvException>(() => envs.Receive());
        var error = Assert.Single(failed.Errors);
        Assert.Equal((1, ErrorCodes.InvalidAction), (error.EnvId, error.Code));
        Assert.Contains("sub-env 1", error.Message);
        Assert.Equal(ErrorCodes.InvalidAction, failed.Code);
        Assert.Equal([0, 2, 3], failed.Batch.EnvIds.Order());
        for (int k = 0; k < failed.Batch.Count; k++)
        {
            int envId = failed.Batch.EnvIds[k];
            AssertResult(reference.Step(envId, envId == 0 ? 0 : 1), failed.Batch, k);
        }

        // Sub-env 1 is idle and as it was: its next action gives the reference's first step.
        envs.Send(NDArray.From(new long[] { 1, 1, 1, 1 }), [0, 1, 2, 3]);
        var next = envs.Receive();
        AssertResult(reference.Step(1, 1), next, Array.IndexOf(next.EnvIds, 1));
    }

    [Fact]
    public async Task TheAsyncTwins_OverlapWithTheCallersWork_AndTwoVectorEnvsShareAConnection()
    {
        using var server = DelayingServer(1000);
        using var client = new ZeroGymClient(server.Address, Quick);
        using var left = client.MakeVec("CartPole-v1", 6, ShortEpisodes, batchSize: 3);
        using var right = client.MakeVec("CartPole-v1", 5, ShortEpisodes, batchSize: 2);

        // Two threads drive one vector env each on the same connection: their posted requests and replies interleave.
        async Task Drive(RemoteVectorEnv envs, int seed)
        {
            var driver = new Driver(envs, new Random(seed));
            await driver.AsyncResetAsync();
            for (int round = 0; round < 60; round++)
            {
                var receiving = driver.ReceiveAsync();
                long work = 0;
                for (int i = 0; i < 20_000; i++) work += i % 7; // the caller's own computation, while the batch comes
                Assert.True(work > 0);
                driver.Check(await receiving);
                await driver.SendToRandomIdleSubsetAsync();
            }
        }

        await Task.WhenAll(Task.Run(() => Drive(left, 1)), Task.Run(() => Drive(right, 2)));
        Assert.True(client.Ping() > 0);
    }

    [Fact]
    public void Reset_WithWorkInFlight_DropsIt_AndStartsAnew()
    {
        using var server = DelayingServer();
        using var client = new ZeroGymClient(server.Address, Quick);
        using var envs = client.MakeVec("CartPole-v1", 6, ShortEpisodes, batchSize: 2);
        using var single = client.Make("CartPole-v1");
        var driver = new Driver(envs, new Random(3));
        driver.AsyncReset();
        driver.Receive();
        driver.SendToRandomIdleSubset();

        // Every sub-env is in flight or awaited by a posted recv: reset reads and drops those replies first.
        using var reference = new Reference(6, kwargs: ShortEpisodes);
        var reset = envs.Reset(seed: 7);
        var expected = Enumerable.Range(0, 6).SelectMany(i => reference.Reset(i, 7 + i).Observation).ToArray();
        Assert.Equal(expected, ((NDArray)reset.Observations).ToArray<float>());
        var step = envs.Step(NDArray.From(new long[] { 1, 0, 1, 0, 1, 0 }));
        Assert.Equal(Enumerable.Repeat(1.0, 6), step.Rewards);

        // The connection is in order: another env on it is served, and the vector env runs asynchronously again.
        single.Reset(seed: 0);
        Assert.Equal(1.0, single.Step(0L).Reward);
        var again = new Driver(envs, new Random(4));
        again.AsyncReset();
        for (int round = 0; round < 20; round++)
        {
            again.Receive();
            again.SendToRandomIdleSubset();
        }
    }

    [Fact]
    public void Dispose_WithWorkInFlight_ClosesTheEnv_AndTheConnectionGoesOn()
    {
        using var server = DelayingServer(2000);
        using var client = new ZeroGymClient(server.Address, Quick);
        using var single = client.Make("CartPole-v1");
        var envs = client.MakeVec("CartPole-v1", 8, batchSize: 2);
        envs.AsyncReset(seed: 0);
        Assert.Equal(2, server.Server.Handler.OpenEnvCount);

        envs.Dispose();

        Assert.Equal(1, server.Server.Handler.OpenEnvCount);
        single.Reset(seed: 0);
        Assert.Equal(1.0, single.Step(0L).Reward);
        Assert.True(client.Ping() > 0);
    }

    [Fact]
    public void AReceiveThatTimesOut_LeavesTheBatchPending_AndTheNextReceiveGetsIt()
    {
        // Each reset waits up to 1 s; six in a row take longer than the 100 ms timeout but for odds of 1e-6.
        using var server = DelayingServer(1_000_000);
        using var envs = RemoteVectorEnv.Make("CartPole-v1", 6, server.Address, options: new ClientOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        using var reference = new Reference(6);
        envs.AsyncReset(seed: Seed);

        var timedOut = Assert.Throws<ServerTimeoutException>(() => envs.Receive());
        Assert.Contains(server.Address, timedOut.Message);
        Assert.Contains("'async_reset'", timedOut.Message);
        Assert.Contains("stays pending", timedOut.Message);
        VectorBatch? batch = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (batch is null && DateTime.UtcNow < deadline)
        {
            try
            {
                batch = envs.Receive();
            }
            catch (ServerTimeoutException)
            {
            }
        }

        Assert.NotNull(batch);
        for (int k = 0; k < 6; k++) AssertResult(reference.Reset(batch.EnvIds[k], Seed + batch.EnvIds[k]), batch, k);
    }

    [Fact]
    public void WithoutTheServerCapability_TheAsyncCallsSaySo()
    {
        using var server = new ServerWithoutAsyncVector();
        using var client = new ZeroGymClient(server.Address, Quick);
        var refused = Assert.Throws<NotSupportedException>(() => client.MakeVec("CartPole-v1", 4, batchSize: 2));
        Assert.Contains("async_vector", refused.Message);
        Assert.Contains(server.Address, refused.Message);

        using var envs = client.MakeVec("CartPole-v1", 4);
        Assert.Equal(4, envs.BatchSize);
        Assert.Contains("async_vector", Assert.Throws<NotSupportedException>(() => envs.AsyncReset(seed: 0)).Message);
        envs.Reset(seed: 0);
        Assert.Equal(4, envs.Step(NDArray.From(new long[] { 0, 1, 0, 1 })).Rewards.Length);
    }

    private static void AssertRejected(string code, string messagePart, Action call)
    {
        var error = Assert.Throws<ZeroGymException>(call);
        Assert.Equal(code, error.Code);
        Assert.Contains(messagePart, error.Message);
    }

    /// <summary>Entry <paramref name="k"/> of <paramref name="batch"/> is exactly <paramref name="expected"/>.</summary>
    private static void AssertResult((float[] Observation, double Reward, bool Terminated, bool Truncated) expected, VectorBatch batch, int k)
    {
        var observations = (NDArray)batch.Observations;
        Assert.Equal([batch.Count, 4], observations.Shape);
        Assert.Equal(expected.Observation, observations.AsSpan<float>().Slice(k * 4, 4).ToArray());
        Assert.Equal((expected.Reward, expected.Terminated, expected.Truncated), (batch.Rewards[k], batch.Terminated[k], batch.Truncated[k]));
    }

    /// <summary>One in-process CartPole per sub-env, stepped as the server's sub-env must be: next-step autoreset included.</summary>
    private sealed class Reference(int numEnvs, IReadOnlyDictionary<string, object?>? kwargs = null) : IDisposable
    {
        private readonly Env[] envs = [.. Enumerable.Range(0, numEnvs).Select(_ => CartPoleEnv.Spec.Make(kwargs))];
        private readonly bool[] ended = new bool[numEnvs];

        public (float[] Observation, double Reward, bool Terminated, bool Truncated) Reset(int envId, long seed)
        {
            ended[envId] = false;
            return (((NDArray)envs[envId].Reset(seed).Observation).ToArray<float>(), 0.0, false, false);
        }

        public (float[] Observation, double Reward, bool Terminated, bool Truncated) Step(int envId, long action)
        {
            if (ended[envId])
            {
                ended[envId] = false;
                return (((NDArray)envs[envId].Reset().Observation).ToArray<float>(), 0.0, false, false);
            }

            var step = envs[envId].Step(action);
            ended[envId] = step.Terminated || step.Truncated;
            return (((NDArray)step.Observation).ToArray<float>(), step.Reward, step.Terminated, step.Truncated);
        }

        public void Dispose()
        {
            foreach (var env in envs) env.Dispose();
        }
    }

    /// <summary>
    /// Drives a vector env with random actions to random subsets of its idle sub-envs and checks every batch against a
    /// <see cref="Reference"/>: each result is the one its sub-env's reference gives for the same action, no sub-env
    /// comes twice in a batch, and only sub-envs in flight come back.
    /// </summary>
    private sealed class Driver(RemoteVectorEnv envs, Random random)
    {
        private readonly Reference reference = new(envs.NumEnvs, ShortEpisodes);
        private readonly (float[] Observation, double Reward, bool Terminated, bool Truncated)?[] expected =
            new (float[], double, bool, bool)?[envs.NumEnvs];
        private readonly int[] receivedAfterReset = new int[envs.NumEnvs];

        public bool NeverSentStayedAway { get; private set; } = true;

        public int InFlight => expected.Count(result => result is not null);

        public IEnumerable<int> IdleSubEnvs() => Enumerable.Range(0, envs.NumEnvs).Where(envId => expected[envId] is null);

        public int ReceivedAfterReset(int envId) => receivedAfterReset[envId];

        public void AsyncReset()
        {
            envs.AsyncReset(seed: Seed);
            ExpectResets();
        }

        public async Task AsyncResetAsync()
        {
            var task = envs.AsyncResetAsync(seed: Seed);
            Assert.True(task.IsCompleted, "AsyncResetAsync never waits for the server");
            await task;
            ExpectResets();
        }

        public VectorBatch Receive() => Check(envs.Receive());

        public VectorBatch Receive(int minBatch) => Check(envs.Receive(minBatch), minBatch);

        public Task<VectorBatch> ReceiveAsync() => envs.ReceiveAsync();

        public VectorBatch Check(VectorBatch batch, int? minBatch = null)
        {
            if (minBatch is int least) Assert.InRange(batch.Count, least, envs.BatchSize);
            else Assert.Equal(envs.BatchSize, batch.Count);
            Assert.Equal(batch.Count, batch.EnvIds.Distinct().Count());
            for (int k = 0; k < batch.Count; k++)
            {
                int envId = batch.EnvIds[k];
                if (expected[envId] is not { } result)
                {
                    NeverSentStayedAway = false;
                    Assert.Fail($"sub-env {envId} came back without being in flight");
                    return batch;
                }

                AssertResult(result, batch, k);
                expected[envId] = null;
                receivedAfterReset[envId]++;
            }

            return batch;
        }

        public void Send(int[] envIds)
        {
            var actions = envIds.Select(_ => (long)random.Next(2)).ToArray();
            envs.Send(NDArray.From(actions), envIds);
            Expect(envIds, actions);
        }

        /// <summary>Sends to a random subset of the idle sub-envs, large enough that a batch is in flight.</summary>
        public void SendToRandomIdleSubset() => Send(RandomIdleSubset());

        public Task SendToRandomIdleSubsetAsync()
        {
            var envIds = RandomIdleSubset();
            var actions = envIds.Select(_ => (long)random.Next(2)).ToArray();
            var task = envs.SendAsync(NDArray.From(actions), envIds);
            Assert.True(task.IsCompleted, "SendAsync never waits for the server");
            Expect(envIds, actions);
            return task;
        }

        private int[] RandomIdleSubset()
        {
            var idle = IdleSubEnvs().OrderBy(_ => random.Next()).ToArray();
            int least = Math.Max(1, envs.BatchSize - InFlight);
            Assert.True(idle.Length >= least);
            return idle[..random.Next(least, idle.Length + 1)];
        }

        private void ExpectResets()
        {
            for (int envId = 0; envId < envs.NumEnvs; envId++)
            {
                expected[envId] = reference.Reset(envId, Seed + envId);
                receivedAfterReset[envId] = 0;
            }
        }

        private void Expect(int[] envIds, long[] actions)
        {
            for (int k = 0; k < envIds.Length; k++) expected[envIds[k]] = reference.Step(envIds[k], actions[k]);
        }
    }

    /// <summary>
    /// A server of protocol 1.0 as clients see it: the real request handler behind a ROUTER that takes
    /// <c>async_vector</c> out of its <c>hello</c> reply.
    /// </summary>
    private sealed class ServerWithoutAsyncVector : IDisposable
    {
        private readonly ZmqContext context = new();
        private readonly ZmqSocket router;
        private readonly RequestHandler handler = new(BuiltInEnvs.CreateRegistry(), new ServerOptions(), new ServerLog(TextWriter.Null));
        private readonly CancellationTokenSource stop = new();
        private readonly Thread thread;

        public ServerWithoutAsyncVector()
        {
            router = context.CreateSocket(ZmqSocketType.Router);
            router.Linger = 0;
            router.Bind("tcp://127.0.0.1:*");
            Address = router.LastEndpoint;
            thread = new Thread(Serve) { IsBackground = true };
            thread.Start();
        }

        public string Address { get; }

        private void Serve()
        {
            using var identity = new ZmqMessage();
            using var request = new ZmqMessage();
            while (!stop.IsCancellationRequested)
            {
                if (!router.TryReceive(identity, TimeSpan.FromMilliseconds(50))) continue;
                router.Receive(request);
                byte[] reply = handler.Handle("old client", request.Memory).ToArray();
                var map = (Dictionary<object, object?>)WireValue.Deserialize(reply)!;
                if (map.TryGetValue("capabilities", out var offered))
                {
                    map["capabilities"] = ((object?[])offered!).Where(capability => (string?)capability != ProtocolConstants.AsyncVectorCapability).ToArray();
                    reply = WireValue.Serialize(map);
                }

                router.Send(identity.Data, more: true);
                router.Send(reply);
            }
        }

        public void Dispose()
        {
            stop.Cancel();
            thread.Join();
            router.Dispose();
            handler.Dispose();
            context.Dispose();
        }
    }
}
