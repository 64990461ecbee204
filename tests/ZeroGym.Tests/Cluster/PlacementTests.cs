using ZeroGym.Cluster;

namespace ZeroGym.Tests.Cluster;

/// <summary>The placements of SPEC.md §3.5 as a pure function of the cluster view.</summary>
public sealed class PlacementTests
{
    private static NodeState Node(string name, long envs = 0, int cores = 2, string status = NodeStatus.Active, int maxNumEnvs = 1024, string env = "CartPole-v1") =>
        new(name, $"tcp://{name}:5555", status, envs, 0, cores, [env], maxNumEnvs);

    private static Dictionary<string, int> Plan(string mode, int numEnvs, string local, params NodeState[] nodes) =>
        Placement.Plan(nodes, "CartPole-v1", numEnvs, mode, local).ToDictionary(part => part.Node.Name, part => part.Count);

    [Fact]
    public void Spread_OverEqualIdleNodes_DiffersByAtMostOne_TheNodeAskedTakingTheRemainder()
    {
        Assert.Equal(new Dictionary<string, int> { ["a"] = 333, ["b"] = 334, ["c"] = 333 }, Plan(Placement.Spread, 1000, "b", Node("a"), Node("b"), Node("c")));
    }

    [Fact]
    public void Spread_FillsTheFreeCapacity_CountingEnvsHeldAndCores()
    {
        // a holds 100 on 2 cores, b nothing on 2, c nothing on 4: 600 sub-envs on 8 cores afterwards, 75 per core each.
        var plan = Plan(Placement.Spread, 500, "a", Node("a", envs: 100), Node("b"), Node("c", cores: 4));

        Assert.Equal(new Dictionary<string, int> { ["a"] = 50, ["b"] = 150, ["c"] = 300 }, plan);
    }

    [Fact]
    public void Spread_LeavesOutDeadNodes_NodesWithoutTheEnv_AndFullNodes()
    {
        var plan = Plan(Placement.Spread, 30, "a", Node("a", maxNumEnvs: 5), Node("b"), Node("c", status: NodeStatus.Dead), Node("d", env: "Pendulum-v1"));

        Assert.Equal(new Dictionary<string, int> { ["a"] = 5, ["b"] = 25 }, plan);
    }

    [Fact]
    public void Pack_FillsTheNodeAskedFirst_ThenTheLeastLoaded()
    {
        Assert.Equal(new Dictionary<string, int> { ["c"] = 10 }, Plan(Placement.Pack, 10, "c", Node("a"), Node("b"), Node("c", envs: 50)));

        var parts = Placement.Plan([Node("a", envs: 8), Node("b", envs: 2), Node("c", maxNumEnvs: 4)], "CartPole-v1", 10, Placement.Pack, "c");

        Assert.Equal([("c", 4), ("b", 6)], parts.Select(part => (part.Node.Name, part.Count)));
    }

    [Fact]
    public void Local_PutsAllOnTheNodeAsked_OrRefuses()
    {
        Assert.Equal(new Dictionary<string, int> { ["b"] = 7 }, Plan(Placement.Local, 7, "b", Node("a"), Node("b")));
        Assert.Contains("take at most 1024", Assert.Throws<ArgumentException>(() => Plan(Placement.Local, 1025, "b", Node("a"), Node("b"))).Message);
        Assert.Contains("not an active node", Assert.Throws<ArgumentException>(() => Plan(Placement.Local, 1, "b", Node("a"), Node("b", status: NodeStatus.Dead))).Message);
    }

    [Fact]
    public void Plan_RefusesUnknownModes_NoCandidates_AndTooManySubEnvs()
    {
        Assert.Contains("spread, pack, local", Assert.Throws<ArgumentException>(() => Plan("random", 1, "a", Node("a"))).Message);
        Assert.Contains("no active node offers", Assert.Throws<ArgumentException>(() => Plan(Placement.Spread, 1, "a", Node("a", status: NodeStatus.Dead))).Message);
        Assert.Contains("2048", Assert.Throws<ArgumentException>(() => Plan(Placement.Pack, 2049, "a", Node("a"), Node("b"))).Message);
    }
}
