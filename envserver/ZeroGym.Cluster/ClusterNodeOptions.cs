using System.Net;

namespace ZeroGym.Cluster;

/// <summary>How a node joins the cluster; <see cref="ClusterNode.StartAsync"/> takes it.</summary>
public sealed record ClusterNodeOptions
{
    /// <summary>The Redis that keeps the membership, as StackExchange.Redis reads it (<c>HOST:PORT</c>).</summary>
    public required string Redis { get; init; }

    /// <summary>The node's name, unique in the cluster.</summary>
    public required string NodeName { get; init; }

    /// <summary>The ZeroMQ endpoint clients reach this node's env server at.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The address other nodes reach this node's silo at; a loopback address also binds the silo to it alone.</summary>
    public required IPAddress AdvertisedAddress { get; init; }

    /// <summary>Orleans' silo-to-silo port; 0 picks a free one.</summary>
    public int SiloPort { get; init; }

    /// <summary>Orleans' gateway port, for Orleans clients such as a dashboard; 0 picks a free one.</summary>
    public int GatewayPort { get; init; }

    /// <summary>The cores this node offers: its capacity for placement.</summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>The env ids this node offers.</summary>
    public IReadOnlyList<string> EnvIds { get; init; } = [];

    /// <summary>The most sub-envs one vector env may have on this node.</summary>
    public int MaxNumEnvs { get; init; } = 1024;

    /// <summary>
    /// The HTTP port of the dashboard this node serves (Orleans' dashboard and the ZeroGym page); 0 picks a free one;
    /// null serves none and starts no web server.
    /// </summary>
    public int? DashboardPort { get; init; }

    /// <summary>How often the node publishes its report and refreshes its copy of the view.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);
}
