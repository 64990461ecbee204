using System.Diagnostics;
using Xunit.Abstractions;
using ZeroGym.Arrays;

namespace ZeroGym.Tests.Cluster;

/// <summary>
/// kill -9 of a node under a vector env spanning a real cluster: with Raise the next step throws naming the lost
/// sub-envs while the others go on exactly; with Recreate the env steps again, the lost sub-envs come back truncated and
/// flagged <c>node_lost</c>, and their next step is their reset on a live node. Both without waiting out the request
/// timeout: the loss is detected. How fast (targets 2 s and 3 s; 0.35–0.4 s here) is measured by scripts/bench-cluster,
/// not asserted here, where a loaded CI machine can stretch any wall-clock figure.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SpanningNodeLossTests(ITestOutputHelper output)
{
    private const int NumEnvs = 6;
    private const long Seed = 11;

    // A third of the client's 30 s request timeout: reached only when the loss was waited out rather than detected.
    private static readonly TimeSpan Detected = TimeSpan.FromSeconds(10);

    [Fact]
    public void Raise_Throws_NamingTheLostSubEnvs_TheOthersContinueExactly_AndResetRemakesThem()
    {
        using var cluster = new LocalCluster();
        var nodes = cluster.StartNodes("node-a", "node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        using var client = SpanningEnvs.ConnectWhenActive(nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", NumEnvs, new VectorEnvOptions { Placement = NodePlacement.Spread, OnNodeLost = NodeLossPolicy.Raise });
        using var mirror = new SingleEnvMirror(client, NumEnvs, Seed);
        mirror.CheckReset(envs.Reset(seed: Seed));
        for (int t = 0; t < 5; t++)
        {
            var actions = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), t);
            mirror.CheckStep(envs.Step(actions), actions);
        }

        var victim = nodes[2];
        var lostIds = Enumerable.Range(0, NumEnvs).Where(i => envs.Nodes[i] == victim.Endpoint).ToList();
        Assert.NotEmpty(lostIds);
        var clock = Stopwatch.StartNew();
        LocalCluster.Kill(victim);
        var last = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), 5);
        var lost = Assert.Throws<NodeLostException>(() => envs.Step(last));
        output.WriteLine($"kill -9 to NodeLostException: {clock.ElapsedMilliseconds} ms");

        Assert.True(clock.Elapsed < Detected, $"NodeLostException came {clock.ElapsedMilliseconds} ms after the kill: the loss was waited out, not detected");
        Assert.Equal(victim.Endpoint, lost.Node);
        Assert.Equal(lostIds, lost.EnvIds);
        Assert.Equal("node_lost", lost.Code);
        var result = lost.Result!.Value;
        mirror.CheckStep(result, last, skip: lostIds);
        var flagged = ((NDArray)result.Info["node_lost"]!).ToArray<bool>();
        Assert.Equal(Enumerable.Range(0, NumEnvs).Select(lostIds.Contains), flagged);
        Assert.All(lostIds, i => Assert.True(result.Truncated[i]));
        // Until a reset the lost sub-envs stay lost; the reset makes them anew on the live nodes.
        Assert.Equal(lostIds, Assert.Throws<NodeLostException>(() => envs.Step(last)).EnvIds);
        using var fresh = new SingleEnvMirror(client, NumEnvs, Seed + 100);
        fresh.CheckReset(envs.Reset(seed: Seed + 100));
        Assert.DoesNotContain(victim.Endpoint, envs.Nodes);
        var again = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), 0);
        fresh.CheckStep(envs.Step(again), again);
    }

    [Fact]
    public void Recreate_StepsAgain_TheLostComeBackTruncatedAndFlagged_ThenTheirResetOnALiveNode()
    {
        using var cluster = new LocalCluster();
        var nodes = cluster.StartNodes("node-a", "node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        using var client = SpanningEnvs.ConnectWhenActive(nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", NumEnvs, new VectorEnvOptions { Placement = NodePlacement.Spread, OnNodeLost = NodeLossPolicy.Recreate });
        var losses = new List<NodeLoss>();
        envs.NodeLost += losses.Add;
        using var mirror = new SingleEnvMirror(client, NumEnvs, Seed);
        mirror.CheckReset(envs.Reset(seed: Seed));
        VectorStepResult previous = default;
        for (int t = 0; t < 5; t++)
        {
            var actions = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), t);
            previous = envs.Step(actions);
            mirror.CheckStep(previous, actions);
        }

        var victim = nodes[1];
        var lostIds = Enumerable.Range(0, NumEnvs).Where(i => envs.Nodes[i] == victim.Endpoint).ToList();
        var clock = Stopwatch.StartNew();
        LocalCluster.Kill(victim);
        var last = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), 5);
        var result = envs.Step(last);
        output.WriteLine($"kill -9 to the next step's result: {clock.ElapsedMilliseconds} ms");

        Assert.True(clock.Elapsed < Detected, $"the step after the kill came {clock.ElapsedMilliseconds} ms after it: the loss was waited out, not detected");
        mirror.CheckStep(result, last, skip: lostIds);
        Assert.Equal(Enumerable.Range(0, NumEnvs).Select(lostIds.Contains), ((NDArray)result.Info["node_lost"]!).ToArray<bool>());
        foreach (int i in lostIds)
        {
            Assert.True(result.Truncated[i]);
            Assert.Equal(0, result.Rewards[i]);
            SingleEnvMirror.AssertRow(RowOf(previous.Observations, i), result.Observations, i, $"lost sub-env {i} at its last observation");
        }

        var loss = Assert.Single(losses);
        Assert.Equal(victim.Endpoint, loss.Node);
        Assert.Equal(lostIds, loss.EnvIds);
        Assert.DoesNotContain(victim.Endpoint, envs.Nodes);
        Assert.Equal(loss.NewNodes, lostIds.Select(i => envs.Nodes[i]));

        // Next step: the lost sub-envs give their reset (seed + i, as the last reset's) on their new node; the others step on.
        var next = SpanningEnvs.Actions(Enumerable.Range(0, NumEnvs), 6);
        var afterwards = envs.Step(next);
        mirror.CheckStep(afterwards, next, skip: lostIds);
        Assert.False(afterwards.Info.ContainsKey("node_lost"));
        foreach (int i in lostIds)
        {
            using var single = client.Make("CartPole-v1");
            SingleEnvMirror.AssertRow(single.Reset(Seed + i).Observation, afterwards.Observations, i, $"sub-env {i} made anew");
            Assert.Equal((0.0, false, false), (afterwards.Rewards[i], afterwards.Terminated[i], afterwards.Truncated[i]));
        }
    }

    [Fact]
    public void Recreate_OfANodeKilledBeforeItsResetsArrived_GivesTheirResetsFromTheNewNodes_NotATruncation()
    {
        using var cluster = new LocalCluster();
        // node-c holds each reset up to 3 s: it dies with its sub-envs' resets unanswered, so they have no last
        // observation to be truncated at, and their reset on a new node is the result they wait for.
        var nodes = cluster.StartNodes("node-a", "node-b").Append(cluster.StartNode("node-c", "--inject-delay-us", "3000000")).ToList();
        using var client = SpanningEnvs.ConnectWhenActive(nodes[0], 3);
        using var envs = client.MakeVec("CartPole-v1", NumEnvs, new VectorEnvOptions { Placement = NodePlacement.Spread, BatchSize = 3, OnNodeLost = NodeLossPolicy.Recreate });
        var victim = nodes[2];
        Assert.Contains(victim.Endpoint, envs.Nodes);

        envs.AsyncReset(seed: Seed);
        LocalCluster.Kill(victim);
        var received = new List<int>();
        for (int round = 0; round < 2; round++)
        {
            var batch = envs.Receive();
            Assert.False(batch.Info.TryGetValue("node_lost", out var flags) && ((NDArray)flags!).ToArray<bool>().Any(flag => flag));
            for (int k = 0; k < batch.Count; k++)
            {
                int i = batch.EnvIds[k];
                using var single = client.Make("CartPole-v1");
                SingleEnvMirror.AssertRow(single.Reset(Seed + i).Observation, batch.Observations, k, $"sub-env {i}'s reset");
                Assert.Equal((0.0, false, false), (batch.Rewards[k], batch.Terminated[k], batch.Truncated[k]));
                received.Add(i);
            }
        }

        Assert.Equal(Enumerable.Range(0, NumEnvs), received.Order());
        Assert.DoesNotContain(victim.Endpoint, envs.Nodes);
    }

    private static NDArray RowOf(object observations, int row)
    {
        var all = (NDArray)observations;
        int width = all.Shape[1];
        return NDArray.From(all.ToArray<float>().AsSpan(row * width, width).ToArray(), width);
    }
}
