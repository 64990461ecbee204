namespace ZeroGym.Cluster;

/// <summary>
/// The cluster as the env server's request handling sees it: no Orleans type crosses this interface, so the server
/// answers <c>nodes</c>, <c>place</c> and <c>list</c> (SPEC.md §3.5) without depending on Orleans, and tests can
/// give it a fixed view. Every member reads a local copy of the view: none makes a call into the cluster.
/// </summary>
public interface ICluster
{
    /// <summary>This node's name.</summary>
    string NodeName { get; }

    /// <summary>Every node known to the membership, this one included, in name order.</summary>
    IReadOnlyList<NodeState> Nodes();
}
