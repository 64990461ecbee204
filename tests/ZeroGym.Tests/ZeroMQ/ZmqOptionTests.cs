using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

public sealed class ZmqOptionTests : IDisposable
{
    private readonly ZmqTestScope zmq = new();

    public void Dispose() => zmq.Dispose();

    [Fact]
    public void Options_ReadBackWhatWasSet()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Router);

        socket.Linger = 250;
        socket.SendHighWatermark = 10;
        socket.ReceiveHighWatermark = 20;
        socket.MaxMessageSize = 1L << 33;
        socket.Immediate = true;
        socket.Identity = [1, 2, 3];
        socket.HeartbeatInterval = 1000;
        socket.HeartbeatTimeout = 3000;
        socket.HeartbeatTtl = 6000;
        socket.ReconnectInterval = 500;
        socket.ZapDomain = "zerogym";

        Assert.Equal(250, socket.Linger);
        Assert.Equal(10, socket.SendHighWatermark);
        Assert.Equal(20, socket.ReceiveHighWatermark);
        Assert.Equal(1L << 33, socket.MaxMessageSize);
        Assert.True(socket.Immediate);
        Assert.Equal([1, 2, 3], socket.Identity);
        Assert.Equal(1000, socket.HeartbeatInterval);
        Assert.Equal(3000, socket.HeartbeatTimeout);
        Assert.Equal(6000, socket.HeartbeatTtl);
        Assert.Equal(500, socket.ReconnectInterval);
        Assert.Equal("zerogym", socket.ZapDomain);
    }

    [Fact]
    public void Options_OfANewSocket_AreLibzmqsDefaults()
    {
        ZmqSocket socket = zmq.Context.CreateSocket(ZmqSocketType.Dealer);
        try
        {
            Assert.Equal(-1, socket.Linger);
            Assert.Equal(-1, socket.HeartbeatTimeout);
            Assert.Equal(100, socket.ReconnectInterval);
            Assert.Equal(1000, socket.SendHighWatermark);
            Assert.Equal(-1, socket.MaxMessageSize);
            Assert.Empty(socket.Identity);
            Assert.Equal("", socket.LastEndpoint);
            Assert.Equal("", socket.ZapDomain);
        }
        finally
        {
            socket.Dispose();
        }
    }

    [Fact]
    public void Linger_BelowMinusOne_IsRejectedWithTheOptionsName()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ZmqException>(() => socket.Linger = -2);

        Assert.Equal("zmq_setsockopt(Linger) failed: Invalid argument (errno 22)", error.Message);
    }

    [Fact]
    public void Option_RejectedByLibzmq_NamesTheOption()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ZmqException>(() => socket.Identity = []);

        Assert.Equal("zmq_setsockopt", error.Call);
        Assert.Equal("zmq_setsockopt(Identity) failed: Invalid argument (errno 22)", error.Message);
    }

    [Fact]
    public void MaxMessageSize_DropsAnOversizedMessageButPassesOneAtTheLimit()
    {
        ZmqSocket router = zmq.Socket(ZmqSocketType.Router);
        router.MaxMessageSize = 64;
        router.Bind("tcp://127.0.0.1:*");
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);
        dealer.Connect(router.LastEndpoint);
        var frames = new List<byte[]>();

        dealer.Send(new byte[64]);
        Assert.True(router.TryReceiveMultipart(frames, ZmqTestScope.Generous));
        Assert.Equal(64, frames[1].Length);

        dealer.Send(new byte[65]);
        Assert.False(router.TryReceiveMultipart(frames, ZmqTestScope.Brief));
    }
}
