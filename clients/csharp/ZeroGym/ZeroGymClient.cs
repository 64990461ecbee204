using System.Buffers;
using MessagePack;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Interop.ZeroMQ;
using ZeroGym.Transport.Security;

namespace ZeroGym;

/// <summary>
/// One connection (a DEALER socket) to a ZeroGym env server. Makes <see cref="RemoteEnv"/>s and
/// <see cref="RemoteVectorEnv"/>s that share it. Thread-safe: calls from several threads take turns, and one thread at a
/// time reads replies. Requests may be pipelined (posted without waiting; their replies read later, in order), which is
/// how <see cref="RemoteVectorEnv"/>'s asynchronous calls keep sub-envs busy while the caller computes.
/// </summary>
/// <remarks>
/// On a timeout the socket is closed and opened again, so a reply that arrives late can never be taken for the
/// answer to a later request (SPEC.md §5); the envs of the old connection are gone from the server's point of
/// view only after its idle timeout. The exception is a <c>recv</c> (<see cref="RemoteVectorEnv.Receive()"/>), whose
/// reply may rightly take long: it stays pending on the same connection (SPEC.md §3.4).
/// </remarks>
public sealed class ZeroGymClient : IDisposable
{
    public const string DefaultAddress = "tcp://127.0.0.1:5555";

    /// <summary>Code of the <see cref="ZeroGymException"/> thrown when a reply does not follow SPEC.md.</summary>
    internal const string BadReply = "bad_reply";

    private readonly object gate = new();
    private readonly ZmqContext context = new();
    private readonly ArrayBufferWriter<byte> requestBuffer = new(1024);
    private readonly ZmqMessage replyFrame = new();
    private readonly ReplyHeader replyHeader = new();
    private readonly (string ServerKey, CurveKeyPair ClientKeys)? curve;
    private readonly Queue<PendingReply> outstanding = new();
    private ZmqSocket socket;
    private LocalStreamConnection? stream;
    private ReadOnlyMemory<byte> received;
    private ulong lastId;
    private bool disposed;

    /// <summary>Connects and greets the server; throws <see cref="ServerTimeoutException"/> when nothing answers,
    /// <see cref="ZeroGymException"/> (<c>version_mismatch</c>) when it speaks another protocol and
    /// <see cref="FormatException"/> when a CURVE key option holds no key.</summary>
    public ZeroGymClient(string address = DefaultAddress, ClientOptions? options = null)
    {
        Address = address;
        Options = options ?? new ClientOptions();
        curve = ReadCurveKeys(Options);
        socket = Connect();
        try
        {
            var hello = Call<HelloRequest, HelloReply>(new HelloRequest { Client = Options.ClientName });
            Server = ServerInfo.FromWire(hello);
            if (hello.LocalStream is { } path && Options.LocalStream && curve is null
                && Server.Capabilities.Contains(ProtocolConstants.LocalStreamCapability) && IsOnThisHost(address))
            {
                MoveToLocalStream(path);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Address { get; }

    /// <summary><c>local_stream</c> once the connection moved to the server's same-host stream (SPEC.md §1.1), else <c>zeromq</c>.</summary>
    public string Transport => stream is null ? "zeromq" : "local_stream";

    public ClientOptions Options { get; }

    /// <summary>What the server said about itself in its <c>hello</c> reply.</summary>
    public ServerInfo Server { get; }

    /// <summary>The envs the server offers.</summary>
    public IReadOnlyList<EnvSpecInfo> ListEnvs() =>
        Call<ListRequest, ListReply>(new ListRequest()).Envs.Select(EnvSpecInfo.FromWire).ToList();

    /// <summary>
    /// Every node of the cluster this server is a node of (SPEC.md §3.5), as it sees them: dead ones too, marked so.
    /// Throws <see cref="NotSupportedException"/> when the server runs alone (no capability <c>cluster</c>).
    /// </summary>
    public IReadOnlyList<NodeInfo> ListNodes()
    {
        EnsureCapability(ProtocolConstants.ClusterCapability, nameof(ListNodes), ClusterHint);
        return Call<NodesRequest, NodesReply>(new NodesRequest()).Nodes.Select(NodeInfo.FromWire).ToList();
    }

    /// <summary>
    /// Where the cluster would run the <paramref name="numEnvs"/> sub-envs of a vector env of <paramref name="envId"/>
    /// (SPEC.md §3.5): one endpoint per sub-env, those of one node consecutive. <paramref name="placement"/> is
    /// <c>spread</c>, <c>pack</c> or <c>local</c>. <paramref name="exclude"/> names nodes (names or endpoints) to leave
    /// out, such as nodes found unreachable before the membership declared them dead (protocol 1.3). Makes nothing.
    /// Throws <see cref="NotSupportedException"/> when the server runs alone, or ignores <paramref name="exclude"/>.
    /// </summary>
    public IReadOnlyList<string> Place(string envId, int numEnvs, string placement = "spread", IReadOnlyList<string>? exclude = null)
    {
        EnsureCapability(ProtocolConstants.ClusterCapability, nameof(Place), ClusterHint);
        var endpoints = Call<PlaceRequest, PlaceReply>(new PlaceRequest { Env = envId, NumEnvs = numEnvs, Placement = placement, Exclude = exclude }).Endpoints;
        // A node older than protocol 1.3 ignores the key it does not know: its plan may hold an excluded node.
        if (exclude is not null && endpoints.FirstOrDefault(exclude.Contains) is { } excluded)
        {
            throw new NotSupportedException($"{nameof(Place)} with exclude needs a node of protocol 1.3 or later; the server at {Address} placed sub-envs on the excluded {excluded}");
        }

        return endpoints;
    }

    private const string ClusterHint = "only a server started as a node of a cluster (scripts/serve --cluster redis://HOST:PORT) offers it";

    /// <summary>Throws <see cref="NotSupportedException"/> when the server does not offer <paramref name="capability"/> (SPEC.md §3), naming what needs it.</summary>
    internal void EnsureCapability(string capability, string what, string whoHasIt)
    {
        if (Server.Capabilities.Contains(capability)) return;
        throw new NotSupportedException(
            $"{what} needs the server capability '{capability}', which the server at {Address} ({Server.Name} {Server.Version}) does not offer " +
            $"(it offers: {string.Join(", ", Server.Capabilities)}); {whoHasIt}");
    }

    /// <summary>Round trip to the server; returns its clock (Unix seconds).</summary>
    public double Ping() => Call<PingRequest, PingReply>(new PingRequest()).Time;

    /// <summary>Makes one env on the server, as <c>gymnasium.make(envId, render_mode=..., **kwargs)</c>.</summary>
    public RemoteEnv Make(string envId, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        new(this, ownsClient: false, new MakeArguments(envId, kwargs, renderMode, NumEnvs: null));

    /// <summary>
    /// Makes a vector env of <paramref name="numEnvs"/> copies stepped together (SPEC.md §2.3); <paramref name="batchSize"/>
    /// (1 to <paramref name="numEnvs"/>, default all; needs the server capability <c>async_vector</c>) is how many results
    /// its <see cref="RemoteVectorEnv.Receive()"/> gives (SPEC.md §3.4).
    /// </summary>
    public RemoteVectorEnv MakeVec(string envId, int numEnvs, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null, int? batchSize = null) =>
        new(this, ownsClient: false, new MakeArguments(envId, kwargs, renderMode, numEnvs, batchSize));

    /// <summary>
    /// Makes a vector env of <paramref name="numEnvs"/> copies as <paramref name="options"/> say. Without a
    /// <see cref="VectorEnvOptions.Placement"/>, as <see cref="MakeVec(string, int, IReadOnlyDictionary{string, object?}?, string?, int?)"/>.
    /// With one, this server (a node of a cluster, capability <c>cluster</c>) places the sub-envs (SPEC.md §3.5): the
    /// vector env opens a connection of its own to each node it uses and steps them all at once; sub-env i seeded
    /// <c>seed + i</c> gives what a single env with that seed gives, whichever node runs it. A node that stops answering
    /// is noticed within about a second of a call waiting on it and handled as <see cref="VectorEnvOptions.OnNodeLost"/>
    /// says. This client is used to place sub-envs again after a loss; dispose it after the vector env.
    /// </summary>
    public RemoteVectorEnv MakeVec(string envId, int numEnvs, VectorEnvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Placement is null
            ? MakeVec(envId, numEnvs, options.Kwargs, options.RenderMode, options.BatchSize)
            : new RemoteVectorEnv(this, ownsClient: false, envId, numEnvs, options);
    }

    public Task<RemoteEnv> MakeAsync(string envId, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        Task.Run(() => Make(envId, kwargs, renderMode));

    public Task<RemoteVectorEnv> MakeVecAsync(string envId, int numEnvs, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null, int? batchSize = null) =>
        Task.Run(() => MakeVec(envId, numEnvs, kwargs, renderMode, batchSize));

    /// <summary>
    /// Sends <paramref name="request"/> (its id set here) and reads the reply through its declaration, or throws the
    /// server's error as a <see cref="ZeroGymException"/> (<c>bad_reply</c> when the reply does not follow SPEC.md).
    /// Replies to requests posted earlier (<see cref="Post{TRequest}"/>) come first and are kept for their owners.
    /// </summary>
    internal TReply Call<TRequest, TReply>(TRequest request)
        where TRequest : Request, IRequest<TRequest>, new()
        where TReply : class, IMessage<TReply>, new()
    {
        lock (gate)
        {
            return Await<TReply>(Post(request));
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> (its id set here) without waiting for its reply: <see cref="Await{TReply}"/>
    /// reads it later, or <see cref="Drop"/> says it is not wanted. The socket never blocks here; a send it cannot take
    /// at once (no connection, or the high-water mark of outstanding requests reached) is a timeout.
    /// </summary>
    internal PendingReply Post<TRequest>(TRequest request) where TRequest : Request, IRequest<TRequest>, new()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            request.Id = ++lastId;
            requestBuffer.ResetWrittenCount();
            var writer = new MessagePackWriter(requestBuffer);
            TRequest.Shape.Write(ref writer, request);
            writer.Flush();
            if (stream is not null && !stream.TrySend(requestBuffer.WrittenSpan))
            {
                if (!stream.Ended) throw TimedOut(TRequest.Op);
                // The server stopped. A client told how to see its process gone (a cluster node's probe) says so, as a
                // receive would; otherwise it goes on over ZeroMQ, as a DEALER reconnects by itself, so a server
                // restarted at the same address answers (unknown_handle for envs of the old one). Replies still due
                // will never come.
                if (Options.ServerAlive is not null) WaitUntilGone(Environment.TickCount64 + (long)Options.Timeout.TotalMilliseconds, TRequest.Op);
                BackToZeroMq();
            }

            if (stream is null && !socket.TrySend(requestBuffer.WrittenSpan)) throw TimedOut(TRequest.Op);
            var pending = new PendingReply(request.Id, TRequest.Op);
            outstanding.Enqueue(pending);
            return pending;
        }
    }

    /// <summary>
    /// The reply to a posted request, read through its declaration: at once when it was read already, otherwise after
    /// the replies of the requests posted before it (kept for their owners). No reply within the timeout is a
    /// <see cref="ServerTimeoutException"/>; with <paramref name="reconnectOnTimeout"/> the socket is reopened (the
    /// reply of every request in flight is then lost, SPEC.md §5), without it the request stays pending and the next
    /// await waits for the same reply (a <c>recv</c>, SPEC.md §3.4).
    /// </summary>
    internal TReply Await<TReply>(PendingReply pending, bool reconnectOnTimeout = true) where TReply : class, IMessage<TReply>, new()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (pending.Payload is { } kept)
            {
                pending.Payload = null;
                ReadHeader(kept);
                return Result<TReply>(kept);
            }

            if (pending.Lost) throw LostReply(pending);
            if (pending.Arrived) throw new InvalidOperationException($"the reply to '{pending.Op}' (request {pending.Id}) was already taken or dropped");
            long deadline = Environment.TickCount64 + (long)Options.Timeout.TotalMilliseconds;
            while (true)
            {
                if (!Receive(deadline, pending.Op))
                {
                    if (reconnectOnTimeout) throw TimedOut(pending.Op);
                    throw new ServerTimeoutException(Address, pending.Op, Options.Timeout, encrypted: curve is not null, reconnected: false);
                }

                var reply = received;
                ReadHeader(reply);
                // Replies come in the order of the requests, so this one answers the oldest in flight. A reply with
                // another id answers a request that timed out before this connection was reset; an error without an
                // id (the server could not read the request) answers the oldest.
                if (!outstanding.TryPeek(out var oldest) || (replyHeader.Id is ulong id ? id != oldest.Id : !replyHeader.IsError)) continue;
                outstanding.Dequeue();
                oldest.Arrived = true;
                if (oldest == pending) return Result<TReply>(reply);
                if (!oldest.Dropped) oldest.Payload = reply.ToArray();
            }
        }
    }

    /// <summary>The ZeroMQ socket replies come on, to poll together with other clients' (null on the local stream).</summary>
    internal ZmqSocket? PollableSocket
    {
        get
        {
            lock (gate) return disposed || stream is not null ? null : socket;
        }
    }

    /// <summary>
    /// The descriptor of the local stream replies come on, to poll together with other clients' sockets; null on
    /// ZeroMQ, and once the server closed the stream (what follows is for <see cref="Await{TReply}"/> to report).
    /// </summary>
    internal int? PollableDescriptor
    {
        get
        {
            lock (gate) return disposed || stream is null || stream.Ended ? null : stream.Descriptor;
        }
    }

    /// <summary>
    /// Whether the reply to <paramref name="pending"/> is here, reading without waiting every reply that arrived (each
    /// kept for its owner, as <see cref="Await{TReply}"/> keeps them): true also when it was lost or taken, which
    /// <see cref="Await{TReply}"/> then reports.
    /// </summary>
    internal bool ReplyArrived(PendingReply pending)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (pending.Payload is not null || pending.Lost || pending.Arrived) return true;
            while (stream is null ? ReceiveFrame(TimeSpan.Zero) : stream.TryReceive(TimeSpan.Zero, out received))
            {
                var reply = received;
                ReadHeader(reply);
                if (!outstanding.TryPeek(out var oldest) || (replyHeader.Id is ulong id ? id != oldest.Id : !replyHeader.IsError)) continue;
                outstanding.Dequeue();
                oldest.Arrived = true;
                if (!oldest.Dropped) oldest.Payload = reply.ToArray();
                if (oldest == pending) return true;
            }

            return false;
        }
    }

    /// <summary>The owner of <paramref name="pending"/> no longer wants its reply: it is dropped, now or when it comes.</summary>
    internal void Drop(PendingReply pending)
    {
        lock (gate)
        {
            pending.Dropped = true;
            pending.Payload = null;
        }
    }

    private void ReadHeader(ReadOnlyMemory<byte> reply)
    {
        try
        {
            ReplyHeader.Read(reply, replyHeader);
        }
        catch (Exception error) when (IsProtocolError(error))
        {
            throw NotTheProtocol(error);
        }
    }

    /// <summary>A reply whose header <see cref="replyHeader"/> holds: the server's error thrown, or the result read.</summary>
    private TReply Result<TReply>(ReadOnlyMemory<byte> reply) where TReply : class, IMessage<TReply>, new()
    {
        if (replyHeader.IsError)
        {
            var error = ReadReply(reply, new ErrorReply()).Error;
            throw new ZeroGymException(error.Code, error.Message);
        }

        return ReadReply(reply, new TReply());
    }

    private ZeroGymException LostReply(PendingReply pending) => new(ErrorCodes.UnknownHandle,
        $"the reply to '{pending.Op}' (request {pending.Id}) is lost: the connection to {Address} was reopened after a timeout, " +
        "and the server's envs of the old connection are gone");

    /// <summary>Reads a reply through its declaration; a reply that does not follow it is <c>bad_reply</c>.</summary>
    private static T ReadReply<T>(ReadOnlyMemory<byte> payload, T into) where T : class, IMessage<T>, new()
    {
        try
        {
            var reader = new MessagePackReader(payload);
            T.Shape.ReadInto(ref reader, into);
            WireValue.ExpectEnd(ref reader);
            return into;
        }
        catch (Exception error) when (IsProtocolError(error))
        {
            throw NotTheProtocol(error);
        }
    }

    private static bool IsProtocolError(Exception error) => error is FormatException or MessagePackSerializationException;

    private static ZeroGymException NotTheProtocol(Exception error) =>
        new(BadReply, $"the server's reply does not follow the protocol: {error.Message}", error);

    /// <summary>Waits for a reply until <paramref name="deadline"/>, in slices when the server's liveness can be asked.</summary>
    private bool Receive(long deadline, string op)
    {
        while (true)
        {
            long remaining = Math.Max(0, deadline - Environment.TickCount64);
            if (stream is not null)
            {
                if (stream.TryReceive(TimeSpan.FromMilliseconds(remaining), out received)) return true;
                if (!stream.Ended || Options.ServerAlive is null) return false;
                // The server closed the stream: its process is ending. Once the process is seen gone the call fails as
                // over ZeroMQ; a process that closed its stream and lives on is silent, which the deadline ends.
                return WaitUntilGone(deadline, op);
            }

            received = default;
            if (Options.ServerAlive is not { } alive) return ReceiveFrame(TimeSpan.FromMilliseconds(remaining));
            if (ReceiveFrame(TimeSpan.FromMilliseconds(Math.Min(remaining, ServerAliveInterval)))) return true;
            if (!alive()) throw new ServerGoneException(Address, op);
            if (remaining <= ServerAliveInterval) return false;
        }
    }

    /// <summary>Asks <see cref="ClientOptions.ServerAlive"/> until it says no (then throws <see cref="ServerGoneException"/>) or <paramref name="deadline"/> passes (false).</summary>
    private bool WaitUntilGone(long deadline, string op)
    {
        while (true)
        {
            if (!Options.ServerAlive!()) throw new ServerGoneException(Address, op);
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0) return false;
            Thread.Sleep((int)Math.Min(remaining, ExitPollInterval));
        }
    }

    // How often a server whose stream ended is asked whether its process is gone: an exit is seen within milliseconds.
    private const long ExitPollInterval = 5;

    private bool ReceiveFrame(TimeSpan timeout)
    {
        if (!socket.TryReceive(replyFrame, timeout)) return false;
        received = replyFrame.Memory;
        return true;
    }

    private const long ServerAliveInterval = 100;

    private static bool IsOnThisHost(string address) =>
        address.StartsWith("ipc://", StringComparison.Ordinal) || address.StartsWith("tcp://127.", StringComparison.Ordinal)
        || address.StartsWith("tcp://localhost:", StringComparison.Ordinal) || address.StartsWith("tcp://[::1]:", StringComparison.Ordinal);

    /// <summary>
    /// Says hello again on the server's local stream and keeps it in place of the ZeroMQ socket (nothing was made on
    /// that yet); stays on ZeroMQ when the stream cannot be reached or does not answer as a server of this protocol.
    /// </summary>
    private void MoveToLocalStream(string path)
    {
        var opened = LocalStreamConnection.TryOpen(path, Options.Timeout);
        if (opened is null) return;
        var previous = socket;
        try
        {
            stream = opened;
            var hello = Call<HelloRequest, HelloReply>(new HelloRequest { Client = Options.ClientName });
            if (hello.Protocol != ProtocolConstants.Version) throw new ZeroGymException(BadReply, $"the local stream {path} answered hello with protocol {hello.Protocol}");
        }
        catch (Exception error) when (error is ZeroGymException or ServerTimeoutException)
        {
            // A timeout reopened the ZeroMQ socket already; anything else leaves it as it was.
            stream = null;
            opened.Dispose();
            return;
        }

        previous.Dispose();
    }

    private ServerTimeoutException TimedOut(string op)
    {
        BackToZeroMq();
        return new ServerTimeoutException(Address, op, Options.Timeout, encrypted: curve is not null);
    }

    /// <summary>A new ZeroMQ connection in place of the current one (or of the local stream): no reply of the old one will ever come.</summary>
    private void BackToZeroMq()
    {
        foreach (var pending in outstanding) pending.Lost = true;
        outstanding.Clear();
        stream?.Dispose();
        stream = null;
        socket.Dispose();
        socket = Connect();
    }

    private ZmqSocket Connect()
    {
        var dealer = context.CreateSocket(ZmqSocketType.Dealer);
        dealer.Linger = 0;
        if (curve is var (serverKey, clientKeys))
        {
            dealer.CurveServerKey = serverKey;
            dealer.CurvePublicKey = clientKeys.PublicKey;
            dealer.CurveSecretKey = clientKeys.SecretKey;
        }

        dealer.Connect(Address);
        return dealer;
    }

    private static (string, CurveKeyPair)? ReadCurveKeys(ClientOptions options)
    {
        if (options.CurveServerKey is null && options.CurveClientKey is null) return null;
        if (options.CurveServerKey is null || options.CurveClientKey is null)
        {
            throw new ArgumentException(
                "CurveServerKey and CurveClientKey go together: the server's public key (NAME.pub) and this client's key pair (NAME.key)");
        }

        return (CurveKeys.ReadPublicKey(options.CurveServerKey, "CurveServerKey"), CurveKeys.ReadKeyPair(options.CurveClientKey, "CurveClientKey"));
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            stream?.Dispose();
            socket.Dispose();
            replyFrame.Dispose();
            context.Dispose();
        }
    }
}
