namespace ZeroGym.Cluster.Grains;

/// <summary>
/// The cluster's one shared view: every node publishes its report here once a second and gets every node's latest
/// report back in the same call, which it keeps locally to answer <c>nodes</c> and <c>place</c> without any call into
/// Orleans. One grain (key 0) suffices: a call per node per second, a few hundred bytes each. Its state is memory
/// only: when the node hosting it dies, Orleans activates it anew on a survivor and the next second's reports refill
/// it, while every node still answers from its own copy meanwhile.
/// </summary>
public interface IClusterViewGrain : IGrainWithIntegerKey
{
    /// <summary>Stores <paramref name="report"/> as its node's latest and returns the latest report of every node.</summary>
    Task<NodeReport[]> Publish(NodeReport report);
}
