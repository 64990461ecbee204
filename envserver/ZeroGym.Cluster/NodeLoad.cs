namespace ZeroGym.Cluster;

/// <summary>What a node's env server reports about its own work, read by the cluster once a second.</summary>
/// <param name="Envs">Sub-envs open on the node.</param>
/// <param name="StepsTotal">Sub-env steps taken since the server started; steps/s comes from its change.</param>
/// <param name="Clients">Clients the server knows: those heard from within its idle timeout.</param>
public sealed record NodeLoad(long Envs, long StepsTotal, int Clients = 0);
