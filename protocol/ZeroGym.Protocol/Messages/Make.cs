using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>make</c>: an env (or with <see cref="NumEnvs"/> a vector env) by id.</summary>
public sealed record MakeRequest : Request, IRequest<MakeRequest>
{
    /// <summary>The env id, e.g. "CartPole-v1".</summary>
    public string Env { get; set; } = "";

    /// <summary>The env's keyword arguments, in wire form; null for the defaults.</summary>
    public IReadOnlyDictionary<string, object?>? Kwargs { get; set; }

    /// <summary>Present: a vector env of this many copies.</summary>
    public long? NumEnvs { get; set; }

    /// <summary>A vector env's batch size for <c>recv</c> (SPEC.md §3.4); null for <see cref="NumEnvs"/>.</summary>
    public long? BatchSize { get; set; }

    /// <summary>A vector env's autoreset mode (<c>next_step</c>, <c>same_step</c>, <c>disabled</c>); null for <c>next_step</c>.</summary>
    public string? AutoresetMode { get; set; }

    /// <summary>"rgb_array" to render, or null.</summary>
    public string? RenderMode { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Make;

    /// <inheritdoc/>
    public static MessageShape<MakeRequest> Shape { get; } = Declare<MakeRequest>(Ops.Make)
        .String("env", m => m.Env, (m, v) => m.Env = v)
        .Map("kwargs", m => m.Kwargs, (m, v) => m.Kwargs = v, required: false, contentCode: ErrorCodes.InvalidArgument)
        .OptionalInteger("num_envs", m => m.NumEnvs, (m, v) => m.NumEnvs = v)
        .OptionalInteger("batch_size", m => m.BatchSize, (m, v) => m.BatchSize = v)
        .OptionalString("autoreset_mode", m => m.AutoresetMode, (m, v) => m.AutoresetMode = v)
        .OptionalString("render_mode", m => m.RenderMode, (m, v) => m.RenderMode = v);
}

/// <summary>The env made: its handle, spaces (of one sub-env), spec and render metadata.</summary>
public sealed record MakeReply : Reply, IMessage<MakeReply>
{
    /// <summary>The handle later requests name the env by.</summary>
    public long Handle { get; set; }

    /// <summary>The env id.</summary>
    public string Env { get; set; } = "";

    /// <summary>The number of sub-envs of a vector env; null for a single env.</summary>
    public long? NumEnvs { get; set; }

    /// <summary>The batch size of a vector env's <c>recv</c>; null for a single env.</summary>
    public long? BatchSize { get; set; }

    /// <summary>A vector env's autoreset mode; null for a single env.</summary>
    public string? AutoresetMode { get; set; }

    /// <summary>The space of one (sub-)env's observations.</summary>
    public Space ObservationSpace { get; set; } = null!;

    /// <summary>The space of one (sub-)env's actions.</summary>
    public Space ActionSpace { get; set; } = null!;

    /// <summary>The spec, kwargs in effect.</summary>
    public EnvSpecMessage Spec { get; set; } = new();

    /// <summary>The render mode in effect, or null.</summary>
    public string? RenderMode { get; set; }

    /// <summary>Render modes and frame rate.</summary>
    public RenderMetadata Metadata { get; set; } = new();

    /// <inheritdoc/>
    public static MessageShape<MakeReply> Shape { get; } = Declare<MakeReply>("make reply")
        .Integer("handle", m => m.Handle, (m, v) => m.Handle = v)
        .String("env", m => m.Env, (m, v) => m.Env = v)
        .OptionalInteger("num_envs", m => m.NumEnvs, (m, v) => m.NumEnvs = v)
        .OptionalInteger("batch_size", m => m.BatchSize, (m, v) => m.BatchSize = v)
        .OptionalString("autoreset_mode", m => m.AutoresetMode, (m, v) => m.AutoresetMode = v)
        .Space("observation_space", m => m.ObservationSpace, (m, v) => m.ObservationSpace = v)
        .Space("action_space", m => m.ActionSpace, (m, v) => m.ActionSpace = v)
        .Message("spec", EnvSpecMessage.Shape, m => m.Spec, (m, v) => m.Spec = v)
        .OptionalString("render_mode", m => m.RenderMode, (m, v) => m.RenderMode = v, alwaysWritten: true)
        .Message("metadata", RenderMetadata.Shape, m => m.Metadata, (m, v) => m.Metadata = v);
}

/// <summary>The <c>metadata</c> of a <c>make</c> reply, as Gymnasium's <c>env.metadata</c>.</summary>
public sealed record RenderMetadata : IMessage<RenderMetadata>
{
    /// <summary>The render modes the env offers.</summary>
    public IReadOnlyList<string> RenderModes { get; set; } = [];

    /// <summary>Frames per second of a video of the env.</summary>
    public long RenderFps { get; set; }

    /// <inheritdoc/>
    public static MessageShape<RenderMetadata> Shape { get; } = new MessageShape<RenderMetadata>("metadata", () => new RenderMetadata())
        .Strings("render_modes", m => m.RenderModes, (m, v) => m.RenderModes = v)
        .Integer("render_fps", m => m.RenderFps, (m, v) => m.RenderFps = v);
}
