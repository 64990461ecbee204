using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>reset</c>: starts an episode (every sub-env's, for a vector env).</summary>
public sealed record ResetRequest : HandleRequest, IRequest<ResetRequest>
{
    /// <summary>An integer, nil, or for vector envs a list of one seed (or nil) per sub-env; checked against the env by the server.</summary>
    public object? Seed { get; set; }

    /// <summary>The env's reset options, or null.</summary>
    public IReadOnlyDictionary<string, object?>? Options { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Reset;

    /// <inheritdoc/>
    public static MessageShape<ResetRequest> Shape { get; } = DeclareWithHandle<ResetRequest>(Ops.Reset)
        .Value("seed", m => m.Seed, (m, v) => m.Seed = v, ErrorCodes.InvalidArgument, required: false)
        .Map("options", m => m.Options, (m, v) => m.Options = v, ErrorCodes.InvalidArgument, required: false);
}

/// <summary>The first observation and info of the episode (batched for a vector env).</summary>
public sealed record ResetReply : Reply, IMessage<ResetReply>
{
    /// <summary>The observation, a canonical space value (batched for a vector env).</summary>
    public object Obs { get; set; } = null!;

    /// <summary>The reset info (Gymnasium's vector layout for a vector env).</summary>
    public IReadOnlyDictionary<string, object?> Info { get; set; } = null!;

    /// <inheritdoc/>
    public static MessageShape<ResetReply> Shape { get; } = Declare<ResetReply>("reset reply")
        .Value("obs", m => m.Obs, (m, v) => m.Obs = v!)
        .Map("info", m => m.Info, (m, v) => m.Info = v!);
}
