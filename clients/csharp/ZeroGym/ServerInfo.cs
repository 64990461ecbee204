namespace ZeroGym;

/// <summary>A server's answer to <c>hello</c> (SPEC.md §3).</summary>
public sealed record ServerInfo(
    int Protocol, string Name, string Version, IReadOnlyList<string> Capabilities, int MaxMessageBytes, TimeSpan IdleTimeout)
{
    internal static ServerInfo FromWire(Dictionary<object, object?> reply) => new(
        (int)Replies.Long(reply, "protocol"),
        Replies.String(reply, "server"),
        Replies.String(reply, "version"),
        Replies.Strings(reply, "capabilities"),
        (int)Replies.Long(reply, "max_message_bytes"),
        TimeSpan.FromSeconds(Replies.Double(reply, "idle_timeout")));
}

/// <summary>An env's spec as the server describes it (SPEC.md §3), like Gymnasium's <c>EnvSpec</c>.</summary>
/// <param name="Kwargs">The kwargs in effect (after <c>make</c>) or the defaults (from <c>list</c>).</param>
public sealed record EnvSpecInfo(
    string Id,
    int? MaxEpisodeSteps,
    double? RewardThreshold,
    bool Nondeterministic,
    IReadOnlyDictionary<string, object?> Kwargs,
    IReadOnlyList<string> RenderModes,
    string? Description)
{
    internal static EnvSpecInfo FromWire(object? tree)
    {
        var spec = tree as Dictionary<object, object?> ?? throw new ZeroGymException(Replies.BadReply, "an env spec must be a map");
        return new EnvSpecInfo(
            Replies.String(spec, "id"),
            (int?)Replies.OptionalLong(spec, "max_episode_steps"),
            Replies.OptionalDouble(spec, "reward_threshold"),
            Replies.Bool(spec, "nondeterministic"),
            Protocol.Wire.WireFormat.ToStringKeyedMap(Replies.Field(spec, "kwargs"), "spec.kwargs"),
            Replies.Strings(spec, "render_modes"),
            spec.GetValueOrDefault("description") as string);
    }
}

/// <summary>What <c>make</c> was asked, kept so an env lost to a server restart can be made again.</summary>
internal sealed record MakeArguments(string EnvId, IReadOnlyDictionary<string, object?>? Kwargs, string? RenderMode, int? NumEnvs);
