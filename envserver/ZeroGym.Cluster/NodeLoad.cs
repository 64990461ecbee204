namespace ZeroGym.Cluster;

/// <summary>What a node's env server reports about its own work, read by the cluster once a second.</summary>
/// <param name="Envs">Sub-envs open on the node.</param>
/// <param name="StepsTotal">Sub-env steps taken since the server started; steps/s comes from its change.</param>
public sealed record NodeLoad(long Envs, long StepsTotal);
