using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary>
/// <c>place</c>: where the sub-envs of a vector env should run in the cluster (SPEC.md §3.5, capability
/// <c>cluster</c>). It makes nothing: the client then makes one vector env on each node named.
/// </summary>
public sealed record PlaceRequest : Request, IRequest<PlaceRequest>
{
    /// <summary>The env id.</summary>
    public string Env { get; set; } = "";

    /// <summary>How many sub-envs to place.</summary>
    public long NumEnvs { get; set; }

    /// <summary><c>spread</c> (the default when absent), <c>pack</c> or <c>local</c>.</summary>
    public string? Placement { get; set; }

    /// <summary>
    /// Names or endpoints of nodes to leave out (protocol 1.3): nodes the client found unreachable, which the membership
    /// may not have declared dead yet. Null leaves none out.
    /// </summary>
    public IReadOnlyList<string>? Exclude { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Place;

    /// <inheritdoc/>
    public static MessageShape<PlaceRequest> Shape { get; } = Declare<PlaceRequest>(Ops.Place)
        .String("env", m => m.Env, (m, v) => m.Env = v)
        .Integer("num_envs", m => m.NumEnvs, (m, v) => m.NumEnvs = v)
        .OptionalString("placement", m => m.Placement, (m, v) => m.Placement = v)
        .OptionalStrings("exclude", m => m.Exclude, (m, v) => m.Exclude = v);
}

/// <summary>The endpoint of the node each sub-env goes to.</summary>
public sealed record PlaceReply : Reply, IMessage<PlaceReply>
{
    /// <summary>One endpoint per sub-env, in sub-env order; the sub-envs of one node are consecutive.</summary>
    public IReadOnlyList<string> Endpoints { get; set; } = [];

    /// <inheritdoc/>
    public static MessageShape<PlaceReply> Shape { get; } = Declare<PlaceReply>("place reply")
        .Strings("endpoints", m => m.Endpoints, (m, v) => m.Endpoints = v);
}
