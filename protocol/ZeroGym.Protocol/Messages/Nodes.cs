using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>nodes</c>: the nodes of the cluster the server belongs to (SPEC.md §3.5, capability <c>cluster</c>).</summary>
public sealed record NodesRequest : Request, IRequest<NodesRequest>
{
    /// <inheritdoc/>
    public static string Op => Ops.Nodes;

    /// <inheritdoc/>
    public static MessageShape<NodesRequest> Shape { get; } = Declare<NodesRequest>(Ops.Nodes);
}

/// <summary>Every node of the cluster, as the node asked sees it.</summary>
public sealed record NodesReply : Reply, IMessage<NodesReply>
{
    /// <summary>One entry per node, in name order.</summary>
    public IReadOnlyList<NodeMessage> Nodes { get; set; } = [];

    /// <inheritdoc/>
    public static MessageShape<NodesReply> Shape { get; } = Declare<NodesReply>("nodes reply")
        .Messages("nodes", NodeMessage.Shape, m => m.Nodes, (m, v) => m.Nodes = v);
}

/// <summary>One node in a <c>nodes</c> reply.</summary>
public sealed record NodeMessage : IMessage<NodeMessage>
{
    /// <summary>The node's name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The ZeroMQ endpoint clients reach it at.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary><c>active</c> or <c>dead</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>Sub-envs it holds.</summary>
    public long Envs { get; set; }

    /// <summary>Sub-env steps per second, over its last report.</summary>
    public double StepsPerS { get; set; }

    /// <summary>Its CPU cores.</summary>
    public long Cores { get; set; }

    /// <inheritdoc/>
    public static MessageShape<NodeMessage> Shape { get; } = new MessageShape<NodeMessage>("node", () => new NodeMessage())
        .String("name", m => m.Name, (m, v) => m.Name = v)
        .String("endpoint", m => m.Endpoint, (m, v) => m.Endpoint = v)
        .String("status", m => m.Status, (m, v) => m.Status = v)
        .Integer("envs", m => m.Envs, (m, v) => m.Envs = v)
        .Number("steps_per_s", m => m.StepsPerS, (m, v) => m.StepsPerS = v)
        .Integer("cores", m => m.Cores, (m, v) => m.Cores = v);
}
