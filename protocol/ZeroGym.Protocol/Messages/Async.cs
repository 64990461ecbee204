using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary>A request of SPEC.md §3.4 that may ask for the next batch in its reply (<c>recv</c> true).</summary>
public abstract record AsyncRequest : HandleRequest
{
    /// <summary>Answer with the batch a <c>recv</c> right after this request would get, instead of only the id.</summary>
    public bool Recv { get; set; }

    /// <summary>With <see cref="Recv"/>: as <see cref="RecvRequest.MinBatch"/>.</summary>
    public long? MinBatch { get; set; }
}

/// <summary><c>async_reset</c>: resets every sub-env of a vector env without waiting for the results.</summary>
public sealed record AsyncResetRequest : AsyncRequest, IRequest<AsyncResetRequest>
{
    /// <summary>As <see cref="ResetRequest.Seed"/>.</summary>
    public object? Seed { get; set; }

    /// <summary>The env's reset options, or null.</summary>
    public IReadOnlyDictionary<string, object?>? Options { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.AsyncReset;

    /// <inheritdoc/>
    public static MessageShape<AsyncResetRequest> Shape { get; } = DeclareWithHandle<AsyncResetRequest>(Ops.AsyncReset)
        .Value("seed", m => m.Seed, (m, v) => m.Seed = v, ErrorCodes.InvalidArgument, required: false)
        .Map("options", m => m.Options, (m, v) => m.Options = v, ErrorCodes.InvalidArgument, required: false)
        .OptionalBool("recv", m => m.Recv, (m, v) => m.Recv = v)
        .OptionalInteger("min_batch", m => m.MinBatch, (m, v) => m.MinBatch = v);
}

/// <summary><c>send</c>: one action for each listed sub-env of a vector env, without waiting for the results.</summary>
public sealed record SendRequest : AsyncRequest, IRequest<SendRequest>
{
    /// <summary>The sub-envs, in wire form (an integer array or a list of integers); checked by the server.</summary>
    public object? EnvId { get; set; }

    /// <summary>Their actions, batched in the order of <see cref="EnvId"/>.</summary>
    public object? Action { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Send;

    /// <inheritdoc/>
    public static MessageShape<SendRequest> Shape { get; } = DeclareWithHandle<SendRequest>(Ops.Send)
        .Value("env_id", m => m.EnvId, (m, v) => m.EnvId = v, ErrorCodes.InvalidArgument)
        .Value("action", m => m.Action, (m, v) => m.Action = v, ErrorCodes.InvalidAction)
        .OptionalBool("recv", m => m.Recv, (m, v) => m.Recv = v)
        .OptionalInteger("min_batch", m => m.MinBatch, (m, v) => m.MinBatch = v);
}

/// <summary><c>recv</c>: the results of the first <c>batch_size</c> sub-envs to finish (protocol 1.3: at least <c>min_batch</c> of them).</summary>
public sealed record RecvRequest : HandleRequest, IRequest<RecvRequest>
{
    /// <summary>
    /// Answer once this many results are ready, with every ready one up to <c>batch_size</c> (1 to <c>batch_size</c>;
    /// null: <c>batch_size</c>, a full batch). SPEC.md §3.4, protocol 1.3.
    /// </summary>
    public long? MinBatch { get; set; }

    /// <inheritdoc/>
    public static string Op => Ops.Recv;

    /// <inheritdoc/>
    public static MessageShape<RecvRequest> Shape { get; } = DeclareWithHandle<RecvRequest>(Ops.Recv)
        .OptionalInteger("min_batch", m => m.MinBatch, (m, v) => m.MinBatch = v);
}

/// <summary>An <c>async_reset</c> or <c>send</c> taken in: the reply has only <c>id</c>.</summary>
public sealed record AcceptedReply : Reply, IMessage<AcceptedReply>
{
    /// <inheritdoc/>
    public static MessageShape<AcceptedReply> Shape { get; } = Declare<AcceptedReply>("accepted reply");
}

/// <summary>One batch of results (SPEC.md §3.4): which sub-envs, their batched results, and those that failed.</summary>
public sealed record BatchReply : Reply, IMessage<BatchReply>
{
    /// <summary>int64 (B,): the sub-env of each entry of the batched values.</summary>
    public NDArray EnvId { get; set; } = null!;

    /// <summary>The batched observations (B sub-envs).</summary>
    public object Obs { get; set; } = null!;

    /// <summary>float64 (B,).</summary>
    public NDArray Reward { get; set; } = null!;

    /// <summary>bool (B,).</summary>
    public NDArray Terminated { get; set; } = null!;

    /// <summary>bool (B,).</summary>
    public NDArray Truncated { get; set; } = null!;

    /// <summary>The infos in Gymnasium's vector layout over the B entries.</summary>
    public IReadOnlyDictionary<string, object?> Info { get; set; } = null!;

    /// <summary>The sub-envs of the batch that failed, or null when none did.</summary>
    public IReadOnlyList<SubEnvError>? Errors { get; set; }

    /// <inheritdoc/>
    public static MessageShape<BatchReply> Shape { get; } = Declare<BatchReply>("batch reply")
        .Array("env_id", m => m.EnvId, (m, v) => m.EnvId = v)
        .Value("obs", m => m.Obs, (m, v) => m.Obs = v!)
        .Array("reward", m => m.Reward, (m, v) => m.Reward = v)
        .Array("terminated", m => m.Terminated, (m, v) => m.Terminated = v)
        .Array("truncated", m => m.Truncated, (m, v) => m.Truncated = v)
        .Map("info", m => m.Info, (m, v) => m.Info = v!)
        .Messages("errors", SubEnvError.Shape, m => m.Errors, (m, v) => m.Errors = v, required: false);
}

/// <summary>What went wrong with one sub-env of a batch: its index and an error as SPEC.md §3.2 codes it.</summary>
public sealed record SubEnvError : IMessage<SubEnvError>
{
    /// <summary>The sub-env's index.</summary>
    public long EnvId { get; set; }

    /// <summary>The error code (<c>invalid_action</c>, <c>env_failure</c>, ...).</summary>
    public string Code { get; set; } = "";

    /// <summary>What was expected and what was found.</summary>
    public string Message { get; set; } = "";

    /// <inheritdoc/>
    public static MessageShape<SubEnvError> Shape { get; } = new MessageShape<SubEnvError>("sub-env error", () => new SubEnvError())
        .Integer("env_id", m => m.EnvId, (m, v) => m.EnvId = v)
        .String("code", m => m.Code, (m, v) => m.Code = v)
        .String("message", m => m.Message, (m, v) => m.Message = v);
}
