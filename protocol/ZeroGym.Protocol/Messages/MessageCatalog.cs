using ZeroGym.Protocol.Wire;

namespace ZeroGym.Protocol.Messages;

/// <summary>One operation of SPEC.md §3: its request and the replies it may get (single and vector forms).</summary>
/// <param name="Op">The request's <c>op</c>.</param>
/// <param name="Request">The request's declaration.</param>
/// <param name="Replies">Every reply declaration of a successful request.</param>
public sealed record Operation(string Op, IMessageShape Request, IReadOnlyList<IMessageShape> Replies);

/// <summary>Every message of the protocol, by operation, as SPEC.md §3's table lists them.</summary>
public static class MessageCatalog
{
    /// <summary>The operations in SPEC.md's order.</summary>
    public static IReadOnlyList<Operation> Operations { get; } =
    [
        new(Ops.Hello, HelloRequest.Shape, [HelloReply.Shape]),
        new(Ops.Ping, PingRequest.Shape, [PingReply.Shape]),
        new(Ops.List, ListRequest.Shape, [ListReply.Shape]),
        new(Ops.Make, MakeRequest.Shape, [MakeReply.Shape]),
        new(Ops.Reset, ResetRequest.Shape, [ResetReply.Shape]),
        new(Ops.Step, StepRequest.Shape, [StepReply.Shape, VectorStepReply.Shape]),
        new(Ops.Render, RenderRequest.Shape, [RenderReply.Shape, VectorRenderReply.Shape]),
        new(Ops.Close, CloseRequest.Shape, [CloseReply.Shape]),
        new(Ops.AsyncReset, AsyncResetRequest.Shape, [AcceptedReply.Shape, BatchReply.Shape]),
        new(Ops.Send, SendRequest.Shape, [AcceptedReply.Shape, BatchReply.Shape]),
        new(Ops.Recv, RecvRequest.Shape, [BatchReply.Shape]),
        new(Ops.Nodes, NodesRequest.Shape, [NodesReply.Shape]),
        new(Ops.Place, PlaceRequest.Shape, [PlaceReply.Shape]),
    ];

    /// <summary>The reply to any rejected request (SPEC.md §3.2).</summary>
    public static IMessageShape Error => ErrorReply.Shape;
}
