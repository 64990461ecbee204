using System.Diagnostics;
using Xunit.Abstractions;

namespace ZeroGym.Tests.Cluster;

/// <summary>Membership in a real cluster: a node killed with -9 is declared dead, the others serve on, a new node joins.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeLossTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DeathTarget = TimeSpan.FromSeconds(15);

    [Fact]
    public void AKilledNode_IsDeadWithin15Seconds_TheOthersKeepServing_AndANodeStartedLaterJoins()
    {
        var total = Stopwatch.StartNew();
        using var cluster = new LocalCluster();
        var nodes = cluster.StartNodes("node-a", "node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        using var a = new ZeroGymClient(nodes[0].Endpoint);
        using var b = new ZeroGymClient(nodes[1].Endpoint);
        IReadOnlyList<NodeInfo> seenByA = [], seenByB = [];
        LocalCluster.WaitUntil(() => (seenByA = a.ListNodes()).Count(node => node.IsActive) == 3, TimeSpan.FromSeconds(15), () => ClusterTests.Describe(seenByA));
        output.WriteLine($"at {total.Elapsed.TotalSeconds:F1} s: three nodes active");
        using var env = a.Make("CartPole-v1");
        env.Reset(seed: 3);

        var clock = Stopwatch.StartNew();
        LocalCluster.Kill(nodes[2]);
        var dead = LocalCluster.WaitUntil(
            () => IsDead(seenByA = a.ListNodes(), "node-c") && IsDead(seenByB = b.ListNodes(), "node-c"),
            DeathTarget, () => $"node-a lists {ClusterTests.Describe(seenByA)}, node-b {ClusterTests.Describe(seenByB)}");
        output.WriteLine($"kill -9 of node-c to 'dead' on both survivors: {dead.TotalMilliseconds:F0} ms");
        // Each node logs its view when it changes (at its next report, within a second).
        WaitForLogLine(nodes[0], "event=cluster_view active=2 dead=1 nodes=node-a,node-b,node-c:dead");

        Assert.Equal(0, seenByA.Single(node => node.Name == "node-c").Envs);
        Assert.All(seenByA.Where(node => node.Name != "node-c"), node => Assert.True(node.IsActive));
        env.Step(0L); // the survivors keep serving their envs
        Assert.DoesNotContain(nodes[2].Endpoint, b.Place("CartPole-v1", 100, "spread"));

        output.WriteLine($"at {total.Elapsed.TotalSeconds:F1} s: starting node-d");
        var late = cluster.StartNodes("node-d").Single();
        output.WriteLine($"at {total.Elapsed.TotalSeconds:F1} s: node-d listening after {late.StartupTime.TotalMilliseconds:F0} ms");
        LocalCluster.WaitUntil(() => (seenByA = a.ListNodes()).Any(node => node.Name == "node-d" && node.IsActive), TimeSpan.FromSeconds(15),
            () => ClusterTests.Describe(seenByA));
        Assert.Equal(["node-a", "node-b", "node-c", "node-d"], seenByA.Select(node => node.Name));
        Assert.Equal(late.Endpoint, seenByA.Single(node => node.Name == "node-d").Endpoint);
        Assert.Contains(late.Endpoint, a.Place("CartPole-v1", 99, "spread"));
        WaitForLogLine(nodes[1], "event=cluster_view active=3 dead=1 nodes=node-a,node-b,node-c:dead,node-d");
        output.WriteLine($"at {total.Elapsed.TotalSeconds:F1} s: done");
    }

    private static void WaitForLogLine(LocalCluster.Node node, string text) =>
        LocalCluster.WaitUntil(() => Log(node).Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            () => $"{node.Name} logged no '{text}'; its cluster_view lines:\n" +
                  string.Join('\n', Log(node).Split('\n').Where(line => line.Contains("event=cluster_view", StringComparison.Ordinal))));

    private static string Log(LocalCluster.Node node)
    {
        lock (node.Log) return node.Log.ToString();
    }

    private static bool IsDead(IReadOnlyList<NodeInfo> nodes, string name) => nodes.Any(node => node.Name == name && node.Status == "dead");
}
