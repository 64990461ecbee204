using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary><c>render</c>: the env's current frame (every sub-env's, for a vector env).</summary>
public sealed record RenderRequest : HandleRequest, IRequest<RenderRequest>
{
    /// <inheritdoc/>
    public static string Op => Ops.Render;

    /// <inheritdoc/>
    public static MessageShape<RenderRequest> Shape { get; } = DeclareWithHandle<RenderRequest>(Ops.Render);
}

/// <summary>A single env's frame.</summary>
public sealed record RenderReply : Reply, IMessage<RenderReply>
{
    /// <summary>uint8 H×W×3.</summary>
    public NDArray Frame { get; set; } = null!;

    /// <inheritdoc/>
    public static MessageShape<RenderReply> Shape { get; } = Declare<RenderReply>("render reply")
        .Array("frame", m => m.Frame, (m, v) => m.Frame = v);
}

/// <summary>A vector env's frames, one per sub-env.</summary>
public sealed record VectorRenderReply : Reply, IMessage<VectorRenderReply>
{
    /// <summary>One uint8 H×W×3 frame per sub-env.</summary>
    public IReadOnlyList<NDArray> Frames { get; set; } = [];

    /// <inheritdoc/>
    public static MessageShape<VectorRenderReply> Shape { get; } = Declare<VectorRenderReply>("vector render reply")
        .Arrays("frames", m => m.Frames, (m, v) => m.Frames = v);
}
