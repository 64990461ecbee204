namespace ZeroGym.Cluster.Grains;

/// <summary>What one node says about itself in the cluster view (<see cref="IClusterViewGrain"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record NodeReport
{
    /// <summary>The node's Orleans silo address: the key that matches the report to the membership's entry.</summary>
    [Id(0)] public required string Silo { get; init; }

    /// <summary>The node's name (<c>--node-name</c>).</summary>
    [Id(1)] public required string Name { get; init; }

    /// <summary>The ZeroMQ endpoint clients reach the node at.</summary>
    [Id(2)] public required string Endpoint { get; init; }

    /// <summary>Sub-envs open on the node.</summary>
    [Id(3)] public long Envs { get; init; }

    /// <summary>Sub-env steps per second over the last second.</summary>
    [Id(4)] public double StepsPerSecond { get; init; }

    /// <summary>The node's CPU cores.</summary>
    [Id(5)] public int Cores { get; init; }

    /// <summary>The env ids the node offers.</summary>
    [Id(6)] public required string[] EnvIds { get; init; }

    /// <summary>The most sub-envs one vector env may have on the node.</summary>
    [Id(7)] public int MaxNumEnvs { get; init; }

    /// <summary>Clients connected to the node (heard from within its idle timeout).</summary>
    [Id(8)] public int Clients { get; init; }
}
