namespace ZeroGym.Cluster;

/// <summary>One node of the cluster as every node sees it (SPEC.md §3.5, the <c>nodes</c> reply).</summary>
/// <param name="Name">The node's name (<c>--node-name</c>), unique in the cluster.</param>
/// <param name="Endpoint">Where clients reach the node's env server over ZeroMQ (<c>tcp://ADVERTISED-HOST:PORT</c>).</param>
/// <param name="Status"><see cref="NodeStatus.Active"/> or <see cref="NodeStatus.Dead"/>, as Orleans' membership says.</param>
/// <param name="Envs">Sub-envs the node holds (a single env counts one, a vector env its <c>num_envs</c>); 0 when dead.</param>
/// <param name="StepsPerSecond">Sub-env steps per second over the node's last report; 0 when dead.</param>
/// <param name="Cores">The node's CPU cores: its capacity for placement.</param>
/// <param name="EnvIds">The env ids the node offers.</param>
/// <param name="MaxNumEnvs">The most sub-envs one vector env may have on the node.</param>
/// <param name="Clients">Clients connected to the node (heard from within its idle timeout); 0 when dead. Shown by the dashboard, not on the wire.</param>
public sealed record NodeState(
    string Name, string Endpoint, string Status, long Envs, double StepsPerSecond, int Cores, IReadOnlyList<string> EnvIds, int MaxNumEnvs, int Clients = 0)
{
    /// <summary>Whether the node is alive and may be given envs.</summary>
    public bool IsActive => Status == NodeStatus.Active;
}

/// <summary>The statuses of <see cref="NodeState.Status"/>, as they travel on the wire.</summary>
public static class NodeStatus
{
    /// <summary>A member of the cluster in good standing.</summary>
    public const string Active = "active";

    /// <summary>Declared dead by the membership (killed, host gone, or shut down).</summary>
    public const string Dead = "dead";
}
