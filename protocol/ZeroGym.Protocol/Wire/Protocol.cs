namespace ZeroGym.Protocol.Wire;

/// <summary>Version and vocabulary of the wire protocol (protocol/SPEC.md).</summary>
public static class ProtocolConstants
{
    /// <summary>The protocol version this code speaks (SPEC.md §6), the one <c>hello</c> carries.</summary>
    public const int Version = 1;

    /// <summary>
    /// The revision of SPEC.md this code implements (its title and §7). Minor revisions add only optional parts, each
    /// announced by a capability, so <c>hello</c> still carries <see cref="Version"/>.
    /// </summary>
    public const string Revision = "1.4";

    public const string ServerName = "zerogym-server";

    /// <summary>Optional parts a version-1 server offers (SPEC.md §3).</summary>
    public static readonly IReadOnlyList<string> Capabilities = ["vector", "render:rgb_array", "reset_options", "wrappers", AsyncVectorCapability, RecvMinBatchCapability];

    /// <summary>The capability of protocol 1.1's asynchronous vector envs (SPEC.md §3.4).</summary>
    public const string AsyncVectorCapability = "async_vector";

    /// <summary>
    /// The capability of protocol 1.3's <c>min_batch</c> of <c>recv</c> (and of <c>send</c>/<c>async_reset</c> with
    /// <c>recv</c> true, SPEC.md §3.4): answer with whatever is ready once at least that many results are.
    /// </summary>
    public const string RecvMinBatchCapability = "recv_min_batch";

    /// <summary>
    /// The capability of protocol 1.4's same-host stream (SPEC.md §1.1): the <c>hello</c> reply's <c>local_stream</c>
    /// names a Unix stream socket that a client on the server's host may use instead of ZeroMQ. Offered only by a
    /// plain-text server that listens on one.
    /// </summary>
    public const string LocalStreamCapability = "local_stream";

    /// <summary>
    /// The capability of protocol 1.2's cluster ops (SPEC.md §3.5: <c>nodes</c>, <c>place</c>), offered only by a server
    /// started as a node of a cluster.
    /// </summary>
    public const string ClusterCapability = "cluster";

    /// <summary>Whether a client speaking <paramref name="clientVersion"/> can talk to this code; pure, so it is unit-tested without a socket.</summary>
    public static bool IsCompatible(long clientVersion) => clientVersion == Version;
}

/// <summary>The request kinds (<c>op</c>) of SPEC.md §3.</summary>
public static class Ops
{
    public const string Hello = "hello";
    public const string Ping = "ping";
    public const string List = "list";
    public const string Make = "make";
    public const string Reset = "reset";
    public const string Step = "step";
    public const string Render = "render";
    public const string Close = "close";
    public const string AsyncReset = "async_reset";
    public const string Send = "send";
    public const string Recv = "recv";
    public const string Nodes = "nodes";
    public const string Place = "place";
}
