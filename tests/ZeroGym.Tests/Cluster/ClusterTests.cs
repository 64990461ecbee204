using System.Diagnostics;
using Xunit.Abstractions;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Cluster;

/// <summary>
/// Three real server processes started with <c>--cluster</c> on a private Redis (SPEC.md §3.5): they form one cluster,
/// every node lists all of them, and <c>place</c> gives the documented distributions.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ThreeNodeCluster cluster, ITestOutputHelper output) : IClassFixture<ThreeNodeCluster>
{
    private static readonly TimeSpan ViewTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void EveryNode_ListsAllThreeNodes_Active_WithTheirEndpointsAndCores()
    {
        foreach (var node in cluster.Nodes)
        {
            using var client = new ZeroGymClient(node.Endpoint);
            Assert.Contains(ProtocolConstants.ClusterCapability, client.Server.Capabilities);
            IReadOnlyList<NodeInfo> listed = [];
            LocalCluster.WaitUntil(() => (listed = client.ListNodes()).Count(info => info.IsActive) == 3, ViewTimeout,
                () => $"{node.Name} lists {Describe(listed)}");

            Assert.Equal(["node-a", "node-b", "node-c"], listed.Select(info => info.Name));
            Assert.Equal(cluster.Nodes.Select(started => started.Endpoint), listed.Select(info => info.Endpoint));
            Assert.All(listed, info => Assert.Equal(Environment.ProcessorCount, info.Cores));
        }
    }

    [Fact]
    public void Spread_PlacesAThousandCartPoles_OverTheThreeNodes_BalancedWithinTenPercent()
    {
        using var client = ConnectWhenAllActive(cluster.Nodes[0]);

        var clock = Stopwatch.StartNew();
        var endpoints = client.Place("CartPole-v1", 1000, "spread");
        var placeTime = clock.Elapsed;

        Assert.Equal(1000, endpoints.Count);
        // The 2 s target is measured by scripts/bench-cluster; this bound only catches a placement gone quadratic.
        output.WriteLine($"placing 1,000 sub-envs: {placeTime.TotalMilliseconds:F0} ms");
        Assert.True(placeTime < TimeSpan.FromSeconds(10), $"placing 1,000 sub-envs took {placeTime.TotalMilliseconds:F0} ms");
        var counts = Counts(endpoints);
        Assert.Equal(cluster.Nodes.Select(node => node.Endpoint).Order(), counts.Keys.Order());
        Assert.All(counts.Values, count => Assert.InRange(count, 300, 367)); // 1000 / 3 ± 10%
        // One block per node, so the client makes one vector env per endpoint.
        Assert.Equal(counts.Count, endpoints.Where((endpoint, i) => i == 0 || endpoints[i - 1] != endpoint).Count());

        // Making them where the plan says, and each node then reports what it holds and how fast it steps.
        clock.Restart();
        var parts = counts.Select(part => (Client: new ZeroGymClient(part.Key), part.Value)).ToList();
        var envs = parts.Select(part => part.Client.MakeVec("CartPole-v1", part.Value)).ToList();
        var makeTime = clock.Elapsed;
        output.WriteLine($"place 1,000 CartPole sub-envs (spread, 3 nodes): {placeTime.TotalMilliseconds:F1} ms; making them: {makeTime.TotalMilliseconds:F0} ms; counts {string.Join("/", counts.Values)}");
        try
        {
            foreach (var env in envs) env.Reset(seed: 1);
            IReadOnlyList<NodeInfo> listed = [];
            LocalCluster.WaitUntil(() =>
            {
                foreach (var env in envs) env.Step(new long[env.NumEnvs]);
                listed = client.ListNodes();
                return listed.All(node => node.Envs == counts[node.Endpoint] && node.StepsPerSecond > 0);
            }, ViewTimeout, () => $"expected envs {string.Join("/", counts.Values)} and steps/s > 0; the cluster lists {Describe(listed)}");
        }
        finally
        {
            foreach (var env in envs) env.Dispose();
            foreach (var part in parts) part.Client.Dispose();
        }
    }

    [Fact]
    public void Pack_FillsTheNodeAskedFirst_ThenTheNext()
    {
        using var client = ConnectWhenAllActive(cluster.Nodes[1]);

        var all = Counts(client.Place("CartPole-v1", 1000, "pack"));
        var overflowing = client.Place("CartPole-v1", 1500, "pack");

        Assert.Equal(new Dictionary<string, int> { [cluster.Nodes[1].Endpoint] = 1000 }, all);
        // A node takes at most one vector env's worth (1024 sub-envs); the rest go to another node, after the first block.
        Assert.Equal(Enumerable.Repeat(cluster.Nodes[1].Endpoint, 1024), overflowing.Take(1024));
        Assert.Single(overflowing.Skip(1024).Distinct());
        Assert.NotEqual(cluster.Nodes[1].Endpoint, overflowing[1024]);
        Assert.Equal(1500, overflowing.Count);
    }

    [Fact]
    public void Local_PutsEverySubEnvOnTheNodeAsked_AndRefusesMoreThanItTakes()
    {
        using var client = ConnectWhenAllActive(cluster.Nodes[2]);

        Assert.Equal(Enumerable.Repeat(cluster.Nodes[2].Endpoint, 10), client.Place("CartPole-v1", 10, "local"));
        Assert.Equal("invalid_argument", Assert.Throws<ZeroGymException>(() => client.Place("CartPole-v1", 1025, "local")).Code);
        Assert.Equal("invalid_argument", Assert.Throws<ZeroGymException>(() => client.Place("CartPole-v1", 10, "everywhere")).Code);
        Assert.Equal("unknown_env", Assert.Throws<ZeroGymException>(() => client.Place("NoSuchEnv-v0", 10)).Code);
    }

    [Fact]
    public void AServerWithoutCluster_OffersNoClusterCapability_AnswersNodesWithUnknownOp_AndNeverLoadsOrleansNorAspNetCore()
    {
        var plain = cluster.Local.StartServer([]);
        using var client = new ZeroGymClient(plain.Endpoint);
        output.WriteLine($"startup to 'listening': plain server {plain.StartupTime.TotalMilliseconds:F0} ms; cluster nodes (3 started at once) " +
            string.Join(", ", cluster.Nodes.Select(node => $"{node.StartupTime.TotalMilliseconds:F0} ms")));

        Assert.DoesNotContain(ProtocolConstants.ClusterCapability, client.Server.Capabilities);
        // A plain server also offers its same-host stream (SPEC.md §1.1), and nothing of a cluster.
        Assert.Equal([.. ProtocolConstants.Capabilities, ProtocolConstants.LocalStreamCapability], client.Server.Capabilities);
        Assert.Contains("scripts/serve --cluster", Assert.Throws<NotSupportedException>(() => client.ListNodes()).Message);
        Assert.Throws<NotSupportedException>(() => client.Place("CartPole-v1", 2));
        Assert.DoesNotContain("Orleans", MappedFiles(plain.Process.Id));
        Assert.DoesNotContain("Microsoft.AspNetCore", MappedFiles(plain.Process.Id));
        // The check sees assemblies at all: a node has Orleans mapped.
        Assert.Contains("Orleans.Runtime.dll", MappedFiles(cluster.Nodes[0].Process.Id));
    }

    [Fact]
    public void ANodeWithoutDashboardPort_StartsNoWebServer()
    {
        // Orleans' networking maps an ASP.NET Core abstraction of its own; the web server and its routing stay out.
        // (DashboardTests sees Kestrel mapped in the node that serves the dashboard.)
        foreach (var node in cluster.Nodes)
        {
            Assert.DoesNotContain("Microsoft.AspNetCore.Server.Kestrel", MappedFiles(node.Process.Id));
            Assert.DoesNotContain("Microsoft.AspNetCore.Routing", MappedFiles(node.Process.Id));
        }
    }

    private ZeroGymClient ConnectWhenAllActive(LocalCluster.Node node)
    {
        var client = new ZeroGymClient(node.Endpoint);
        IReadOnlyList<NodeInfo> listed = [];
        LocalCluster.WaitUntil(() => (listed = client.ListNodes()).Count(info => info.IsActive) == 3, ViewTimeout, () => $"{node.Name} lists {Describe(listed)}");
        return client;
    }

    private static Dictionary<string, int> Counts(IEnumerable<string> endpoints) =>
        endpoints.GroupBy(endpoint => endpoint).ToDictionary(group => group.Key, group => group.Count());

    internal static string MappedFiles(int processId) => File.ReadAllText($"/proc/{processId}/maps");

    internal static string Describe(IEnumerable<NodeInfo> nodes) =>
        "[" + string.Join("; ", nodes.Select(node => $"{node.Name} {node.Status} {node.Endpoint} envs={node.Envs} steps/s={node.StepsPerSecond:F0}")) + "]";
}
