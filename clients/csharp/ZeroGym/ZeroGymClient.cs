using System.Buffers;
using MessagePack;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Interop.ZeroMQ;
using ZeroGym.Transport.Security;

namespace ZeroGym;

/// <summary>
/// One connection (a DEALER socket) to a ZeroGym env server. Makes <see cref="RemoteEnv"/>s and
/// <see cref="RemoteVectorEnv"/>s that share it. Thread-safe: calls from several threads take turns.
/// </summary>
/// <remarks>
/// On a timeout the socket is closed and opened again, so a reply that arrives late can never be taken for the
/// answer to a later request (SPEC.md §5); the envs of the old connection are gone from the server's point of
/// view only after its idle timeout.
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
    private ZmqSocket socket;
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
            Server = Hello();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Address { get; }

    public ClientOptions Options { get; }

    /// <summary>What the server said about itself in its <c>hello</c> reply.</summary>
    public ServerInfo Server { get; }

    /// <summary>The envs the server offers.</summary>
    public IReadOnlyList<EnvSpecInfo> ListEnvs() =>
        Call<ListRequest, ListReply>(new ListRequest()).Envs.Select(EnvSpecInfo.FromWire).ToList();

    /// <summary>Round trip to the server; returns its clock (Unix seconds).</summary>
    public double Ping() => Call<PingRequest, PingReply>(new PingRequest()).Time;

    /// <summary>Makes one env on the server, as <c>gymnasium.make(envId, render_mode=..., **kwargs)</c>.</summary>
    public RemoteEnv Make(string envId, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        new(this, ownsClient: false, new MakeArguments(envId, kwargs, renderMode, NumEnvs: null));

    /// <summary>Makes a vector env of <paramref name="numEnvs"/> copies stepped together (SPEC.md §2.3).</summary>
    public RemoteVectorEnv MakeVec(string envId, int numEnvs, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        new(this, ownsClient: false, new MakeArguments(envId, kwargs, renderMode, numEnvs));

    public Task<RemoteEnv> MakeAsync(string envId, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        Task.Run(() => Make(envId, kwargs, renderMode));

    public Task<RemoteVectorEnv> MakeVecAsync(string envId, int numEnvs, IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        Task.Run(() => MakeVec(envId, numEnvs, kwargs, renderMode));

    /// <summary>
    /// Sends <paramref name="request"/> (its id set here) and reads the reply through its declaration, or throws the
    /// server's error as a <see cref="ZeroGymException"/> (<c>bad_reply</c> when the reply does not follow SPEC.md).
    /// </summary>
    internal TReply Call<TRequest, TReply>(TRequest request)
        where TRequest : Request, IRequest<TRequest>, new()
        where TReply : class, IMessage<TReply>, new()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            request.Id = ++lastId;
            requestBuffer.ResetWrittenCount();
            var writer = new MessagePackWriter(requestBuffer);
            TRequest.Shape.Write(ref writer, request);
            writer.Flush();
            if (!socket.TrySend(requestBuffer.WrittenSpan)) throw TimedOut(TRequest.Op);

            long deadline = Environment.TickCount64 + (long)Options.Timeout.TotalMilliseconds;
            while (true)
            {
                if (!Receive(deadline, TRequest.Op)) throw TimedOut(TRequest.Op);
                var reply = replyFrame.Memory;
                replyHeader.Id = null;
                replyHeader.IsError = false;
                ReadReply(reply, replyHeader);
                // A reply that is not ours answers a request that timed out before this connection was reset; an
                // error without an id (the server could not read ours) answers the only request in flight.
                if (replyHeader.Id is ulong other ? other != request.Id : !replyHeader.IsError) continue;
                if (replyHeader.IsError)
                {
                    var error = ReadReply(reply, new ErrorReply()).Error;
                    throw new ZeroGymException(error.Code, error.Message);
                }

                return ReadReply(reply, new TReply());
            }
        }
    }

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
        catch (Exception error) when (error is FormatException or MessagePackSerializationException)
        {
            throw new ZeroGymException(BadReply, $"the server's reply does not follow the protocol: {error.Message}", error);
        }
    }

    /// <summary>Waits for a reply until <paramref name="deadline"/>, in slices when the server's liveness can be asked.</summary>
    private bool Receive(long deadline, string op)
    {
        while (true)
        {
            long remaining = Math.Max(0, deadline - Environment.TickCount64);
            if (Options.ServerAlive is not { } alive) return socket.TryReceive(replyFrame, TimeSpan.FromMilliseconds(remaining));
            if (socket.TryReceive(replyFrame, TimeSpan.FromMilliseconds(Math.Min(remaining, ServerAliveInterval)))) return true;
            if (!alive()) throw new ServerGoneException(Address, op);
            if (remaining <= ServerAliveInterval) return false;
        }
    }

    private const long ServerAliveInterval = 100;

    private ServerInfo Hello() =>
        ServerInfo.FromWire(Call<HelloRequest, HelloReply>(new HelloRequest { Client = Options.ClientName }));

    private ServerTimeoutException TimedOut(string op)
    {
        socket.Dispose();
        socket = Connect();
        return new ServerTimeoutException(Address, op, Options.Timeout, encrypted: curve is not null);
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
            socket.Dispose();
            replyFrame.Dispose();
            context.Dispose();
        }
    }
}
