using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>step</c>: one action (a batch of them, for a vector env).</summary>
public sealed record StepRequest : HandleRequest, IRequest<StepRequest>
{
    /// <summary>The action in wire form, converted to the action space by the server.</summary>
    public object? Action { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Step;

    /// <inheritdoc/>
    public static MessageShape<StepRequest> Shape { get; } = DeclareWithHandle<StepRequest>(Ops.Step)
        .Value("action", m => m.Action, (m, v) => m.Action = v, ErrorCodes.InvalidAction);
}

/// <summary>What one step of a single env gave.</summary>
public sealed record StepReply : Reply, IMessage<StepReply>
{
    /// <summary>The observation after the step.</summary>
    public object Obs { get; set; } = null!;

    /// <summary>The step's reward.</summary>
    public double Reward { get; set; }

    /// <summary>Whether the episode reached a terminal state.</summary>
    public bool Terminated { get; set; }

    /// <summary>Whether the episode was cut short (time limit).</summary>
    public bool Truncated { get; set; }

    /// <summary>The step info.</summary>
    public IReadOnlyDictionary<string, object?> Info { get; set; } = null!;

    /// <inheritdoc/>
    public static MessageShape<StepReply> Shape { get; } = Declare<StepReply>("step reply")
        .Value("obs", m => m.Obs, (m, v) => m.Obs = v!)
        .Number("reward", m => m.Reward, (m, v) => m.Reward = v)
        .Bool("terminated", m => m.Terminated, (m, v) => m.Terminated = v)
        .Bool("truncated", m => m.Truncated, (m, v) => m.Truncated = v)
        .Map("info", m => m.Info, (m, v) => m.Info = v!);
}

/// <summary>What one step of a vector env gave: the same keys, each batched over the sub-envs (SPEC.md §2.3).</summary>
public sealed record VectorStepReply : Reply, IMessage<VectorStepReply>
{
    /// <summary>The batched observations.</summary>
    public object Obs { get; set; } = null!;

    /// <summary>float64 (N,).</summary>
    public NDArray Reward { get; set; } = null!;

    /// <summary>bool (N,).</summary>
    public NDArray Terminated { get; set; } = null!;

    /// <summary>bool (N,).</summary>
    public NDArray Truncated { get; set; } = null!;

    /// <summary>The infos in Gymnasium's vector layout.</summary>
    public IReadOnlyDictionary<string, object?> Info { get; set; } = null!;

    /// <inheritdoc/>
    public static MessageShape<VectorStepReply> Shape { get; } = Declare<VectorStepReply>("vector step reply")
        .Value("obs", m => m.Obs, (m, v) => m.Obs = v!)
        .Array("reward", m => m.Reward, (m, v) => m.Reward = v)
        .Array("terminated", m => m.Terminated, (m, v) => m.Terminated = v)
        .Array("truncated", m => m.Truncated, (m, v) => m.Truncated = v)
        .Map("info", m => m.Info, (m, v) => m.Info = v!);
}
