using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>list</c>: the envs the server offers.</summary>
public sealed record ListRequest : Request, IRequest<ListRequest>
{
    /// <inheritdoc/>
    public static string Op => Ops.List;

    /// <inheritdoc/>
    public static MessageShape<ListRequest> Shape { get; } = Declare<ListRequest>(Ops.List);
}

/// <summary>The server's envs, each with its spec (and description).</summary>
public sealed record ListReply : Reply, IMessage<ListReply>
{
    /// <summary>One spec per env, in id order.</summary>
    public IReadOnlyList<EnvSpecMessage> Envs { get; set; } = [];

    /// <inheritdoc/>
    public static MessageShape<ListReply> Shape { get; } = Declare<ListReply>("list reply")
        .Messages("envs", EnvSpecMessage.Shape, m => m.Envs, (m, v) => m.Envs = v);
}

/// <summary>An env spec as SPEC.md §3 describes it (in <c>list</c> and <c>make</c> replies).</summary>
public sealed record EnvSpecMessage : IMessage<EnvSpecMessage>
{
    /// <summary>The env id, e.g. "CartPole-v1".</summary>
    public string Id { get; set; } = "";

    /// <summary>The time limit, or null for none.</summary>
    public long? MaxEpisodeSteps { get; set; }

    /// <summary>The return at which the env counts as solved, or null.</summary>
    public double? RewardThreshold { get; set; }

    /// <summary>Whether the same seed may give different episodes.</summary>
    public bool Nondeterministic { get; set; }

    /// <summary>The defaults (<c>list</c>) or the kwargs in effect (<c>make</c>).</summary>
    public IReadOnlyDictionary<string, object?> Kwargs { get; set; } = new Dictionary<string, object?>();

    /// <summary>The render modes the env offers.</summary>
    public IReadOnlyList<string> RenderModes { get; set; } = [];

    /// <summary>What the env is; in <c>list</c> replies only.</summary>
    public string? Description { get; set; }

    /// <summary>Where the env comes from ("built in", "assembly MyEnvs.dll"); in <c>list</c> replies only.</summary>
    public string? Source { get; set; }

    /// <inheritdoc/>
    public static MessageShape<EnvSpecMessage> Shape { get; } = new MessageShape<EnvSpecMessage>("env spec", () => new EnvSpecMessage())
        .String("id", m => m.Id, (m, v) => m.Id = v)
        .OptionalInteger("max_episode_steps", m => m.MaxEpisodeSteps, (m, v) => m.MaxEpisodeSteps = v, alwaysWritten: true)
        .NullableNumber("reward_threshold", m => m.RewardThreshold, (m, v) => m.RewardThreshold = v)
        .Bool("nondeterministic", m => m.Nondeterministic, (m, v) => m.Nondeterministic = v)
        .Map("kwargs", m => m.Kwargs, (m, v) => m.Kwargs = v!)
        .Strings("render_modes", m => m.RenderModes, (m, v) => m.RenderModes = v)
        .OptionalString("description", m => m.Description, (m, v) => m.Description = v)
        .OptionalString("source", m => m.Source, (m, v) => m.Source = v);
}
