using System.Diagnostics;
using ZeroGym.Arrays;

namespace ZeroGym.Tests.Cluster;

/// <summary>
/// A vector env made with a placement on a node of a real three-node cluster: its sub-envs run where the cluster
/// places them, and each gives exactly what a single env seeded <c>seed + i</c> gives, synchronously or asynchronously.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SpanningVectorEnvTests(ThreeNodeCluster cluster) : IClassFixture<ThreeNodeCluster>
{
    [Fact]
    public void Spread_Pack_AndLocal_PutTheSubEnvsWhereTheClusterSays_AndNodesListsThem()
    {
        using var client = SpanningEnvs.ConnectWhenActive(cluster.Nodes[1], 3);
        var endpoints = cluster.Nodes.Select(node => node.Endpoint).ToList();

        using (var spread = client.MakeVec("CartPole-v1", 7, new VectorEnvOptions { Placement = NodePlacement.Spread }))
        {
            // Balanced over the three idle nodes (3/2/2), one block of consecutive sub-envs per node.
            Assert.Equal(endpoints.Order(), spread.Nodes.Distinct().Order());
            Assert.Equal([2, 2, 3], spread.Nodes.CountBy(node => node).Select(count => count.Value).Order());
            Assert.Equal(3, spread.Nodes.Where((node, i) => i == 0 || spread.Nodes[i - 1] != node).Count());
            Assert.Equal(7, spread.NumEnvs);
        }

        using (var pack = client.MakeVec("CartPole-v1", 7, new VectorEnvOptions { Placement = NodePlacement.Pack }))
        {
            Assert.Equal(Enumerable.Repeat(endpoints[1], 7), pack.Nodes);
        }

        using var local = RemoteVectorEnv.Make("CartPole-v1", 5, new VectorEnvOptions { Placement = NodePlacement.Local }, endpoints[2]);
        Assert.Equal(Enumerable.Repeat(endpoints[2], 5), local.Nodes);
        // Without a placement: today's vector env on the server addressed.
        using var plain = client.MakeVec("CartPole-v1", 3, new VectorEnvOptions());
        Assert.Equal(Enumerable.Repeat(endpoints[1], 3), plain.Nodes);
    }

    [Fact]
    public void Step_OverThreeNodes_GivesEachSubEnvExactlyWhatASingleEnvSeededSeedPlusIGives()
    {
        using var client = SpanningEnvs.ConnectWhenActive(cluster.Nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", 6, new VectorEnvOptions { Placement = NodePlacement.Spread });
        Assert.Equal(3, envs.Nodes.Distinct().Count());
        using var mirror = new SingleEnvMirror(client, 6, seed: 40);

        mirror.CheckReset(envs.Reset(seed: 40));
        for (int t = 0; t < 40; t++)
        {
            var actions = SpanningEnvs.Actions(Enumerable.Range(0, 6), t);
            mirror.CheckStep(envs.Step(actions), actions);
        }
    }

    [Fact]
    public void Receive_WithABatchSmallerThanTheEnvs_GivesTheFirstReadyWhereverTheyRun_EachExactlyAsASingleEnv()
    {
        using var client = SpanningEnvs.ConnectWhenActive(cluster.Nodes[2], 3);
        using var envs = client.MakeVec("CartPole-v1", 6, new VectorEnvOptions { Placement = NodePlacement.Spread, BatchSize = 2 });
        using var mirror = new SingleEnvMirror(client, 6, seed: 7);
        var seen = new HashSet<int>();

        envs.AsyncReset(seed: 7);
        for (int t = 0; t < 60; t++)
        {
            var batch = envs.Receive();
            Assert.Equal(2, batch.Count);
            Assert.Equal(2, batch.EnvIds.Distinct().Count());
            mirror.CheckBatch(batch);
            seen.UnionWith(batch.EnvIds);
            var actions = SpanningEnvs.Actions(batch.EnvIds, t);
            mirror.Sent(batch.EnvIds, actions);
            envs.Send(actions, batch.EnvIds);
        }

        Assert.Equal(Enumerable.Range(0, 6), seen.Order());
        Assert.Equal("invalid_argument", Assert.Throws<ZeroGymException>(() => envs.Send(SpanningEnvs.Actions([0], 0), [0, 0])).Code);
    }

    [Fact]
    public void Receive_WithAMinBatch_AnswersOnceThatManyFinished_WithAtMostABatch_EachExactlyAsASingleEnv()
    {
        using var client = SpanningEnvs.ConnectWhenActive(cluster.Nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", 6, new VectorEnvOptions { Placement = NodePlacement.Spread, BatchSize = 4 });
        using var mirror = new SingleEnvMirror(client, 6, seed: 11);
        var sizes = new List<int>();

        envs.AsyncReset(seed: 11);
        for (int t = 0; t < 60; t++)
        {
            var batch = envs.Receive(minBatch: 1);
            Assert.InRange(batch.Count, 1, 4);
            Assert.Equal(batch.Count, batch.EnvIds.Distinct().Count());
            mirror.CheckBatch(batch);
            sizes.Add(batch.Count);
            var actions = SpanningEnvs.Actions(batch.EnvIds, t);
            mirror.Sent(batch.EnvIds, actions);
            envs.Send(actions, batch.EnvIds);
        }

        // The six left in flight come out whole: four at once, then the last two in one call or two.
        Assert.Throws<ArgumentOutOfRangeException>(() => envs.Receive(minBatch: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => envs.Receive(minBatch: 0));
        Assert.Equal(6, envs.Receive(minBatch: 4).Count + envs.Receive(minBatch: 1).Count + DrainRest(envs));
    }

    [Fact]
    public void Receive_WithANodePausedLongerThanTheCallerWaitsOnItsOwnThread_GetsTheOthersMeanwhile_AndItsResultsOnceItAnswers()
    {
        // The caller's thread waits for the nodes' replies itself for 100 ms, then leaves them to pool threads that ask
        // the node's probe; a stopped process's port still accepts, so the paused node is slow, not lost.
        using var client = SpanningEnvs.ConnectWhenActive(cluster.Nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", 6, new VectorEnvOptions { Placement = NodePlacement.Spread, BatchSize = 2 });
        using var mirror = new SingleEnvMirror(client, 6, seed: 21);
        var paused = cluster.Nodes.Skip(1).First(node => envs.Nodes.Contains(node.Endpoint));
        var onPaused = Enumerable.Range(0, 6).Where(id => envs.Nodes[id] == paused.Endpoint).ToHashSet();
        int t = 0;

        envs.AsyncReset(seed: 21);
        StepInBatches(20);
        var idle = ReceiveEveryOne();

        LocalCluster.Signal(paused, "STOP");
        Send(idle);
        var resume = new Thread(() =>
        {
            Thread.Sleep(400);
            LocalCluster.Signal(paused, "CONT");
        });
        resume.Start();
        try
        {
            // The paused node got its actions after it stopped: the others' sub-envs keep coming meanwhile.
            StepInBatches(20, refuse: onPaused);
            var waited = Stopwatch.StartNew();
            Send(ReceiveEveryOne());
            Assert.True(waited.ElapsedMilliseconds > 100, $"the paused node's results came after {waited.ElapsedMilliseconds} ms, before it was resumed");
        }
        finally
        {
            resume.Join();
        }

        // Back on the caller's thread, every node answers as before.
        StepInBatches(20);
        Assert.Equal(Enumerable.Range(0, 6), ReceiveEveryOne().Order());

        void StepInBatches(int count, IReadOnlySet<int>? refuse = null)
        {
            for (int k = 0; k < count; k++)
            {
                var batch = envs.Receive();
                Assert.DoesNotContain(batch.EnvIds, id => refuse?.Contains(id) == true);
                mirror.CheckBatch(batch);
                Send(batch.EnvIds);
            }
        }

        List<int> ReceiveEveryOne()
        {
            var returned = new List<int>();
            while (returned.Count < 6)
            {
                var batch = envs.Receive(minBatch: 1);
                mirror.CheckBatch(batch);
                returned.AddRange(batch.EnvIds);
            }

            return returned;
        }

        void Send(IReadOnlyList<int> envIds)
        {
            var actions = SpanningEnvs.Actions(envIds, t++);
            mirror.Sent(envIds, actions);
            envs.Send(actions, envIds);
        }
    }

    private static int DrainRest(RemoteVectorEnv envs)
    {
        try
        {
            return envs.Receive(minBatch: 1).Count;
        }
        catch (ZeroGymException error) when (error.Code == "invalid_argument")
        {
            return 0; // nothing left in flight
        }
    }
}

/// <summary>Helpers of the tests of vector envs spanning nodes.</summary>
internal static class SpanningEnvs
{
    /// <summary>
    /// How long a node's view may lag the nodes: each node reports once a second, and the node asked refreshes its copy
    /// of the view once a second, plus the round trips.
    /// </summary>
    public static readonly TimeSpan ViewLag = TimeSpan.FromSeconds(2.5);

    /// <summary>
    /// A client of <paramref name="node"/> once it has listed <paramref name="active"/> active nodes holding no envs for
    /// <see cref="ViewLag"/> (spread places by free capacity): a view refreshed before an earlier test made its envs
    /// shows them idle, and may still show them held for a moment after that test closed them.
    /// </summary>
    public static ZeroGymClient ConnectWhenActive(LocalCluster.Node node, int active)
    {
        var client = new ZeroGymClient(node.Endpoint);
        IReadOnlyList<NodeInfo> listed = [];
        long? idleSince = null;
        LocalCluster.WaitUntil(() =>
        {
            listed = client.ListNodes();
            bool idle = listed.Count(info => info.IsActive && info.Envs == 0) == active;
            idleSince = idle ? idleSince ?? Stopwatch.GetTimestamp() : null;
            return idleSince is { } since && Stopwatch.GetElapsedTime(since) >= ViewLag;
        }, TimeSpan.FromSeconds(20), () => $"{node.Name} lists {ClusterTests.Describe(listed)}");
        return client;
    }

    /// <summary>CartPole actions for <paramref name="envIds"/> at step <paramref name="t"/>: a fixed pattern, so runs repeat.</summary>
    public static NDArray Actions(IEnumerable<int> envIds, int t)
    {
        var actions = envIds.Select(id => (long)((id + t / 3) % 2)).ToArray();
        return NDArray.From(actions, actions.Length);
    }
}

/// <summary>
/// One single env per sub-env, seeded <c>seed + i</c> and stepped with the same actions, mirroring a vector env's
/// next-step autoreset: what each sub-env gives must be exactly what its single env gives.
/// </summary>
internal sealed class SingleEnvMirror : IDisposable
{
    private readonly RemoteEnv[] singles;
    private readonly long seed;
    private readonly bool[] ended;
    private readonly long?[] pendingAction;
    private readonly bool[] reset;

    public SingleEnvMirror(ZeroGymClient client, int count, long seed)
    {
        this.seed = seed;
        singles = Enumerable.Range(0, count).Select(_ => client.Make("CartPole-v1")).ToArray();
        ended = new bool[count];
        pendingAction = new long?[count];
        reset = new bool[count];
    }

    public void CheckReset(VectorResetResult result)
    {
        for (int i = 0; i < singles.Length; i++) AssertRow(singles[i].Reset(seed + i).Observation, result.Observations, i, $"reset of sub-env {i}");
    }

    public void CheckStep(VectorStepResult result, NDArray actions, IReadOnlyCollection<int>? skip = null)
    {
        for (int i = 0; i < singles.Length; i++)
        {
            if (skip?.Contains(i) == true) continue;
            var (observation, reward, terminated, truncated) = Next(i, actions.GetInt64(i));
            AssertRow(observation, result.Observations, i, $"sub-env {i}");
            Assert.Equal(reward, result.Rewards[i]);
            Assert.Equal(terminated, result.Terminated[i]);
            Assert.Equal(truncated, result.Truncated[i]);
        }
    }

    public void Sent(IReadOnlyList<int> envIds, NDArray actions)
    {
        for (int k = 0; k < envIds.Count; k++) pendingAction[envIds[k]] = actions.GetInt64(k);
    }

    public void CheckBatch(VectorBatch batch)
    {
        for (int k = 0; k < batch.Count; k++)
        {
            int i = batch.EnvIds[k];
            if (!reset[i])
            {
                reset[i] = true;
                AssertRow(singles[i].Reset(seed + i).Observation, batch.Observations, k, $"async reset of sub-env {i}");
                continue;
            }

            var (observation, reward, terminated, truncated) = Next(i, pendingAction[i] ?? throw new InvalidOperationException($"sub-env {i} came back unsent"));
            pendingAction[i] = null;
            AssertRow(observation, batch.Observations, k, $"sub-env {i}");
            Assert.Equal((reward, terminated, truncated), (batch.Rewards[k], batch.Terminated[k], batch.Truncated[k]));
        }
    }

    /// <summary>The single env's next result: a step, or after an ended episode its reset (reward 0, both flags false).</summary>
    private (object Observation, double Reward, bool Terminated, bool Truncated) Next(int i, long action)
    {
        if (ended[i])
        {
            ended[i] = false;
            return (singles[i].Reset().Observation, 0, false, false);
        }

        var step = singles[i].Step(action);
        ended[i] = step.Terminated || step.Truncated;
        return (step.Observation, step.Reward, step.Terminated, step.Truncated);
    }

    public static void AssertRow(object single, object batched, int row, string what)
    {
        var expected = ((NDArray)single).ToArray<float>();
        var rows = (NDArray)batched;
        var found = rows.ToArray<float>().AsSpan(row * expected.Length, expected.Length).ToArray();
        Assert.True(expected.SequenceEqual(found), $"{what}: expected [{string.Join(", ", expected)}], found [{string.Join(", ", found)}]");
    }

    public void Dispose()
    {
        foreach (var single in singles) single.Dispose();
    }
}
