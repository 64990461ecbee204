using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

/// <summary>
/// A context and the sockets a test makes from it, all closed at the end. Sockets linger zero, so a message
/// a test leaves undelivered never holds up the context's termination.
/// </summary>
internal sealed class ZmqTestScope : IDisposable
{
    /// <summary>Long enough for any reply on a loaded machine; only failing tests wait this long.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

    /// <summary>How long a test waits to show that nothing arrives.</summary>
    public static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(200);

    private readonly List<ZmqSocket> sockets = [];

    public ZmqContext Context { get; } = new();

    public ZmqSocket Socket(ZmqSocketType type)
    {
        ZmqSocket socket = Context.CreateSocket(type);
        socket.Linger = 0;
        sockets.Add(socket);
        return socket;
    }

    /// <summary>A ROUTER bound to <paramref name="endpoint"/> and a DEALER connected to where it is bound.</summary>
    public (ZmqSocket Router, ZmqSocket Dealer) RouterAndDealer(string endpoint)
    {
        ZmqSocket router = Socket(ZmqSocketType.Router);
        router.Bind(endpoint);
        ZmqSocket dealer = Socket(ZmqSocketType.Dealer);
        dealer.Connect(router.LastEndpoint);
        return (router, dealer);
    }

    /// <summary>
    /// Sends <paramref name="payload"/> from the DEALER, echoes what the ROUTER receives back as it came
    /// (identity frame included) and returns the DEALER's reply.
    /// </summary>
    public static byte[] EchoThroughRouter(ZmqSocket router, ZmqSocket dealer, byte[] payload)
    {
        dealer.Send(payload);
        var frames = new List<byte[]>();
        Assert.True(router.TryReceiveMultipart(frames, Generous), "the ROUTER received nothing");
        Assert.Equal(2, frames.Count);
        router.SendMultipart(frames);
        Assert.True(dealer.TryReceiveFrame(out byte[] reply, Generous), "the DEALER received no reply");
        return reply;
    }

    public void Dispose()
    {
        foreach (ZmqSocket socket in sockets)
        {
            socket.Dispose();
        }

        Context.Dispose();
    }
}
