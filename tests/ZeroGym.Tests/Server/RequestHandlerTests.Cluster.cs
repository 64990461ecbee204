using ZeroGym.Cluster;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Server;

/// <summary>The cluster ops (SPEC.md §3.5) through the request handler, on a fixed view of the cluster.</summary>
public sealed partial class RequestHandlerTests
{
    private sealed class FixedCluster(string nodeName, params NodeState[] nodes) : ICluster
    {
        public string NodeName => nodeName;

        public IReadOnlyList<NodeState> Nodes() => nodes;
    }

    private static NodeState Node(string name, string status = NodeStatus.Active, long envs = 0, string[]? envIds = null) =>
        new(name, $"tcp://{name}:5555", status, envs, 10.5, 2, envIds ?? ["CartPole-v1"], 1024);

    [Fact]
    public void ASingleServer_OffersNoClusterCapability_AndAnswersTheClusterOpsWithUnknownOp()
    {
        Assert.DoesNotContain(ProtocolConstants.ClusterCapability, (object?[])Ok(Call("a", "hello", ("protocol", 1)))["capabilities"]!);
        Assert.Contains("--cluster", Error(Call("a", "nodes"), ErrorCodes.UnknownOp));
        Assert.Contains("--cluster", Error(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 2)), ErrorCodes.UnknownOp));
    }

    [Fact]
    public void ANode_OffersTheClusterCapability_AndListsEveryNodeOfItsView()
    {
        handler.Cluster = new FixedCluster("a", Node("a", envs: 3), Node("b", NodeStatus.Dead));

        Assert.Contains(ProtocolConstants.ClusterCapability, (object?[])Ok(Call("a", "hello", ("protocol", 1)))["capabilities"]!);
        var nodes = ((object?[])Ok(Call("a", "nodes"))["nodes"]!).Cast<Dictionary<object, object?>>().ToList();
        Assert.Equal(["a", "b"], nodes.Select(node => node["name"]));
        Assert.Equal(["active", "dead"], nodes.Select(node => node["status"]));
        Assert.Equal("tcp://a:5555", nodes[0]["endpoint"]);
        Assert.Equal(3L, nodes[0]["envs"]);
        Assert.Equal(10.5, nodes[0]["steps_per_s"]);
        Assert.Equal(2L, nodes[0]["cores"]);
    }

    [Fact]
    public void Place_AnswersOneEndpointPerSubEnv_OnActiveNodesOnly()
    {
        handler.Cluster = new FixedCluster("a", Node("a"), Node("b"), Node("c", NodeStatus.Dead));

        var endpoints = (object?[])Ok(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 5)))["endpoints"]!;

        Assert.Equal(["tcp://a:5555", "tcp://a:5555", "tcp://a:5555", "tcp://b:5555", "tcp://b:5555"], endpoints);
        Assert.Equal(Enumerable.Repeat<object?>("tcp://a:5555", 4), (object?[])Ok(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 4), ("placement", "local")))["endpoints"]!);
        Assert.Contains("no active node", Error(Call("a", "place", ("env", "Pendulum-v1"), ("num_envs", 1)), ErrorCodes.UnknownEnv));
        Assert.Contains("spread, pack, local", Error(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 1), ("placement", "random")), ErrorCodes.InvalidArgument));
        Assert.Contains("at least 1", Error(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 0)), ErrorCodes.InvalidArgument));
    }

    /// <summary>Counts every use of the cluster view; the view is the handler's only way to the cluster (Orleans).</summary>
    private sealed class CountingCluster(string nodeName, params NodeState[] nodes) : ICluster
    {
        public int Uses { get; private set; }

        public string NodeName
        {
            get
            {
                Uses++;
                return nodeName;
            }
        }

        public IReadOnlyList<NodeState> Nodes()
        {
            Uses++;
            return nodes;
        }
    }

    [Fact]
    public void TheStepPath_SingleVectorAndAsynchronous_NeverUsesTheCluster()
    {
        var cluster = new CountingCluster("a", Node("a"), Node("b"));
        handler.Cluster = cluster;
        long single = (long)Ok(Call("a", "make", ("env", "CartPole-v1")))["handle"]!;
        long vector = (long)Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 4), ("batch_size", 2)))["handle"]!;
        Ok(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 4)));
        int usesBefore = cluster.Uses;

        Ok(Call("a", "reset", ("handle", single), ("seed", 1)));
        Ok(Call("a", "reset", ("handle", vector), ("seed", 1)));
        for (int t = 0; t < 20; t++)
        {
            Ok(Call("a", "step", ("handle", single), ("action", t % 2)));
            Ok(Call("a", "step", ("handle", vector), ("action", new long[] { 0, 1, 0, 1 })));
            Ok(Call("a", "send", ("handle", vector), ("env_id", new long[] { 0, 1, 2, 3 }), ("action", new long[] { 1, 0, 1, 0 })));
            handler.RunQueuedWork();
            Ok(Call("a", "recv", ("handle", vector), ("min_batch", 1)));
            Ok(Call("a", "recv", ("handle", vector)));
        }

        Assert.True(usesBefore > 0, "the counter must see the cluster ops' uses");
        Assert.Equal(usesBefore, cluster.Uses);
    }

    [Fact]
    public void Place_WithExclude_LeavesOutTheNodesItNames_ByNameOrEndpoint()
    {
        handler.Cluster = new FixedCluster("a", Node("a"), Node("b"), Node("c"));

        var endpoints = (object?[])Ok(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 4), ("exclude", new object[] { "b" })))["endpoints"]!;
        Assert.Equal(["tcp://a:5555", "tcp://a:5555", "tcp://c:5555", "tcp://c:5555"], endpoints);
        endpoints = (object?[])Ok(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 2), ("exclude", new object[] { "tcp://a:5555", "c" })))["endpoints"]!;
        Assert.Equal(["tcp://b:5555", "tcp://b:5555"], endpoints);
        Assert.Contains("no active node offers", Error(Call("a", "place", ("env", "CartPole-v1"), ("num_envs", 1), ("exclude", new object[] { "a", "b", "c" })), ErrorCodes.InvalidArgument));
    }

    [Fact]
    public void List_OnANode_AddsTheEnvsOnlyOtherActiveNodesOffer()
    {
        handler.Cluster = new FixedCluster("a", Node("a"), Node("b", envIds: ["CartPole-v1", "Remote-v0"]), Node("c", NodeStatus.Dead, envIds: ["Gone-v0"]));

        var envs = ((object?[])Ok(Call("a", "list"))["envs"]!).Cast<Dictionary<object, object?>>().ToList();

        var remote = envs.Single(spec => (string)spec["id"]! == "Remote-v0");
        Assert.Equal("offered by other nodes of the cluster: b", remote["description"]);
        Assert.DoesNotContain(envs, spec => (string)spec["id"]! == "Gone-v0");
        Assert.Equal(registry.Specs.Count() + 1, envs.Count);
        Assert.Equal(envs.Select(spec => (string)spec["id"]!).Order(StringComparer.Ordinal), envs.Select(spec => (string)spec["id"]!));
    }

    [Fact]
    public void Load_CountsOpenSubEnvsAndTheirSteps_OncePublished()
    {
        long single = (long)Ok(Call("a", "make", ("env", "CartPole-v1")))["handle"]!;
        long vector = (long)Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 4)))["handle"]!;
        Ok(Call("a", "reset", ("handle", single), ("seed", 1)));
        Ok(Call("a", "reset", ("handle", vector), ("seed", 1)));
        Ok(Call("a", "step", ("handle", single), ("action", 0)));
        Ok(Call("a", "step", ("handle", vector), ("action", new long[] { 0, 1, 0, 1 })));
        Assert.Equal(new NodeLoad(0, 0), handler.Load);

        handler.PublishLoad();

        Assert.Equal(new NodeLoad(5, 5), handler.Load);
    }
}
