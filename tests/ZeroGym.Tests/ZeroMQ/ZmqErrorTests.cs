using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

public sealed class ZmqErrorTests : IDisposable
{
    private readonly ZmqTestScope zmq = new();

    public void Dispose() => zmq.Dispose();

    [Fact]
    public void Bind_ToAnAddressInUse_NamesTheCallAndEndpoint()
    {
        ZmqSocket first = zmq.Socket(ZmqSocketType.Router);
        first.Bind("tcp://127.0.0.1:*");
        string endpoint = first.LastEndpoint;
        ZmqSocket second = zmq.Socket(ZmqSocketType.Router);

        var error = Assert.Throws<ZmqException>(() => second.Bind(endpoint));

        Assert.Equal("zmq_bind", error.Call);
        Assert.Equal(98, error.ErrorCode); // EADDRINUSE on Linux
        Assert.Equal($"zmq_bind({endpoint}) failed: Address already in use (errno 98)", error.Message);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1", "Invalid argument (errno 22)")]
    [InlineData("bogus://somewhere", "Protocol not supported (errno 93)")]
    [InlineData("tcp://1.2.3.4:5555", "Cannot assign requested address (errno 99)")]
    public void Bind_ToABadEndpoint_NamesTheCallEndpointAndError(string endpoint, string expectedError)
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Router);

        var error = Assert.Throws<ZmqException>(() => socket.Bind(endpoint));

        Assert.Equal($"zmq_bind({endpoint}) failed: {expectedError}", error.Message);
    }

    [Fact]
    public void Connect_ToAMalformedEndpoint_NamesTheCallAndEndpoint()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ZmqException>(() => socket.Connect("tcp://no-port"));

        Assert.Equal("zmq_connect", error.Call);
        Assert.StartsWith("zmq_connect(tcp://no-port) failed: ", error.Message);
    }

    [Fact]
    public void Unbind_OfAnEndpointNeverBound_Throws()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Router);

        var error = Assert.Throws<ZmqException>(() => socket.Unbind("tcp://127.0.0.1:1"));

        Assert.Equal("zmq_unbind", error.Call);
    }

    [Fact]
    public void Unbind_ReleasesTheEndpointForAnotherSocket()
    {
        // inproc, because a tcp listener closes asynchronously and its port may still be taken for a moment.
        string endpoint = $"inproc://unbind-{Guid.NewGuid():N}";
        ZmqSocket first = zmq.Socket(ZmqSocketType.Router);
        first.Bind(endpoint);

        first.Unbind(endpoint);
        var (router, dealer) = zmq.RouterAndDealer(endpoint);

        Assert.Equal("again"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "again"u8.ToArray()));
    }

    [Fact]
    public void Socket_UsedAfterDispose_ThrowsObjectDisposed()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);
        using var message = new ZmqMessage();

        socket.Dispose();
        socket.Dispose();

        Assert.Throws<ObjectDisposedException>(() => socket.Bind("inproc://disposed"));
        Assert.Throws<ObjectDisposedException>(() => socket.Connect("inproc://disposed"));
        Assert.Throws<ObjectDisposedException>(() => socket.Send("x"u8));
        Assert.Throws<ObjectDisposedException>(() => socket.TrySend("x"u8));
        Assert.Throws<ObjectDisposedException>(() => socket.TryReceive(message, TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => socket.ReceiveFrame());
        Assert.Throws<ObjectDisposedException>(() => socket.LastEndpoint);
        Assert.Throws<ObjectDisposedException>(() => socket.Linger = 0);
    }

    [Fact]
    public void Message_UsedAfterDispose_ThrowsObjectDisposed()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);
        var message = new ZmqMessage();

        message.Dispose();
        message.Dispose();

        Assert.Throws<ObjectDisposedException>(() => message.Size);
        Assert.Throws<ObjectDisposedException>(() => message.Data.Length);
        Assert.Throws<ObjectDisposedException>(() => socket.TryReceive(message, TimeSpan.Zero));
    }

    [Fact]
    public void Context_UsedAfterDispose_ThrowsObjectDisposed()
    {
        var context = new ZmqContext();

        context.Dispose();
        context.Dispose();

        Assert.Throws<ObjectDisposedException>(() => context.CreateSocket(ZmqSocketType.Dealer));
        Assert.Throws<ObjectDisposedException>(() => context.Shutdown());
    }

    [Fact]
    public void Context_DisposedBeforeItsSocket_FailsTheSocketsCallsWithContextTerminated()
    {
        var context = new ZmqContext();
        ZmqSocket socket = context.CreateSocket(ZmqSocketType.Dealer);
        using var message = new ZmqMessage();

        context.Dispose();
        var error = Assert.Throws<ZmqException>(() => socket.Receive(message));
        socket.Dispose(); // the context is terminated here, with its last socket

        Assert.True(error.IsContextTerminated);
        Assert.Equal("zmq_msg_recv failed: Context was terminated (errno 156384765)", error.Message);
    }

    [Fact]
    public void CreateSocket_AfterShutdown_FailsWithContextTerminated()
    {
        zmq.Context.Shutdown();

        var error = Assert.Throws<ZmqException>(() => zmq.Context.CreateSocket(ZmqSocketType.Router));

        Assert.Equal("zmq_socket(Router) failed: Context was terminated (errno 156384765)", error.Message);
    }

    [Fact]
    public async Task Shutdown_WakesABlockedReceiveWithContextTerminated()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);
        using var message = new ZmqMessage();
        Task<ZmqException> receiving = Task.Run(() => Assert.Throws<ZmqException>(() => socket.Receive(message)));

        zmq.Context.Shutdown();
        ZmqException error = await receiving.WaitAsync(ZmqTestScope.Generous);

        Assert.True(error.IsContextTerminated);
    }

    [Fact]
    public void TryReceive_WithANegativeTimeout_ThrowsArgumentOutOfRange()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);
        using var message = new ZmqMessage();

        Assert.Throws<ArgumentOutOfRangeException>(() => socket.TryReceive(message, TimeSpan.FromMilliseconds(-2)));
    }

    [Fact]
    public void SendMultipart_WithNoFrames_ThrowsArgument()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ArgumentException>(() => socket.SendMultipart([]));

        Assert.StartsWith("Expected at least one frame, found none.", error.Message);
    }
}
