using ZeroGym.Protocol.Messages;

namespace ZeroGym;

/// <summary>A server's answer to <c>hello</c> (SPEC.md §3).</summary>
public sealed record ServerInfo(
    int Protocol, string Name, string Version, IReadOnlyList<string> Capabilities, int MaxMessageBytes, TimeSpan IdleTimeout)
{
    internal static ServerInfo FromWire(HelloReply reply) => new(
        (int)reply.Protocol, reply.Server, reply.Version, reply.Capabilities, (int)reply.MaxMessageBytes, TimeSpan.FromSeconds(reply.IdleTimeout));
}

/// <summary>One node of a cluster (SPEC.md §3.5), from <see cref="ZeroGymClient.ListNodes"/>.</summary>
/// <param name="Name">The node's name, unique in the cluster.</param>
/// <param name="Endpoint">Where to connect to it (a <see cref="ZeroGymClient"/> address).</param>
/// <param name="Status"><c>active</c>, or <c>dead</c> once the membership declared it dead or it left.</param>
/// <param name="Envs">Sub-envs it holds (0 when dead).</param>
/// <param name="StepsPerSecond">Sub-env steps per second over its last report, about a second old.</param>
/// <param name="Cores">Its CPU cores.</param>
public sealed record NodeInfo(string Name, string Endpoint, string Status, long Envs, double StepsPerSecond, int Cores)
{
    /// <summary>Whether the node is alive.</summary>
    public bool IsActive => Status == "active";

    internal static NodeInfo FromWire(NodeMessage node) => new(node.Name, node.Endpoint, node.Status, node.Envs, node.StepsPerS, (int)node.Cores);
}

/// <summary>An env's spec as the server describes it (SPEC.md §3), like Gymnasium's <c>EnvSpec</c>.</summary>
/// <param name="Kwargs">The kwargs in effect (after <c>make</c>) or the defaults (from <c>list</c>).</param>
/// <param name="Source">Where the env comes from ("built in", "assembly MyEnvs.dll"), from <c>list</c>; null when the server does not say.</param>
public sealed record EnvSpecInfo(
    string Id,
    int? MaxEpisodeSteps,
    double? RewardThreshold,
    bool Nondeterministic,
    IReadOnlyDictionary<string, object?> Kwargs,
    IReadOnlyList<string> RenderModes,
    string? Description,
    string? Source = null)
{
    internal static EnvSpecInfo FromWire(EnvSpecMessage spec) => new(
        spec.Id, (int?)spec.MaxEpisodeSteps, spec.RewardThreshold, spec.Nondeterministic, spec.Kwargs, spec.RenderModes, spec.Description, spec.Source);
}

/// <summary>What <c>make</c> was asked, kept so an env lost to a server restart can be made again.</summary>
/// <param name="BatchSize">A vector env's <c>recv</c> batch size (SPEC.md §3.4); null leaves it to the server (the number of sub-envs).</param>
internal sealed record MakeArguments(string EnvId, IReadOnlyDictionary<string, object?>? Kwargs, string? RenderMode, int? NumEnvs, int? BatchSize = null);
