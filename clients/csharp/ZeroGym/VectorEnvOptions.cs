namespace ZeroGym;

/// <summary>Where the sub-envs of a vector env run in a cluster (SPEC.md §3.5).</summary>
public enum NodePlacement
{
    /// <summary>All on the node addressed: today's single-server vector env.</summary>
    Local,

    /// <summary>Balanced over the live nodes by their free capacity.</summary>
    Spread,

    /// <summary>Fill one node (the one addressed first) before the next.</summary>
    Pack,
}

/// <summary>What a vector env spanning nodes does when a node stops answering.</summary>
public enum NodeLossPolicy
{
    /// <summary>The call that notices throws <see cref="NodeLostException"/>; the other sub-envs keep their state and
    /// <c>Reset</c>/<c>AsyncReset</c> makes the lost ones anew on live nodes.</summary>
    Raise,

    /// <summary>
    /// No exception: the lost sub-envs are made anew on live nodes at once. The call returns them truncated at their
    /// last observation (reward 0) with info <c>node_lost</c> true, and their next step returns their reset observation
    /// (reward 0, both flags false): reset with seed <c>s + i</c> when the last reset had a seed s, unseeded otherwise.
    /// </summary>
    Recreate,
}

/// <summary>How <see cref="ZeroGymClient.MakeVec(string, int, VectorEnvOptions)"/> makes a vector env.</summary>
public sealed record VectorEnvOptions
{
    /// <summary>The env's kwargs, as <c>gymnasium.make</c>'s.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; init; }

    public string? RenderMode { get; init; }

    /// <summary>How many results <see cref="RemoteVectorEnv.Receive()"/> gives (1 to the number of sub-envs, default all).</summary>
    public int? BatchSize { get; init; }

    /// <summary>
    /// Null: every sub-env on the server addressed, as always. Otherwise the server addressed (a node of a cluster)
    /// places them (SPEC.md §3.5) and the vector env talks to each node on a connection of its own.
    /// </summary>
    public NodePlacement? Placement { get; init; }

    /// <summary>What a vector env spanning nodes does when one stops answering (with a <see cref="Placement"/> only).</summary>
    public NodeLossPolicy OnNodeLost { get; init; } = NodeLossPolicy.Raise;
}

/// <summary>A node of a vector env spanning nodes stopped answering (<see cref="RemoteVectorEnv.NodeLost"/>).</summary>
/// <param name="Node">The endpoint of the node lost.</param>
/// <param name="EnvIds">The sub-envs it ran, sorted.</param>
/// <param name="NewNodes">With <see cref="NodeLossPolicy.Recreate"/>: the endpoint each of them was made anew on; empty otherwise.</param>
public sealed record NodeLoss(string Node, IReadOnlyList<int> EnvIds, IReadOnlyList<string> NewNodes);
