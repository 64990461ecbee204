using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

public sealed class ZmqPollerTests : IDisposable
{
    private readonly ZmqTestScope zmq = new();

    public void Dispose() => zmq.Dispose();

    [Fact]
    public void Poll_FlagsOnlyTheSocketWithAMessage()
    {
        var (quietRouter, _) = zmq.RouterAndDealer($"inproc://quiet-{Guid.NewGuid():N}");
        var (busyRouter, busyDealer) = zmq.RouterAndDealer($"inproc://busy-{Guid.NewGuid():N}");
        busyDealer.Send("ready"u8);
        bool[] readable = [true, false];

        int count = ZmqPoller.Poll([quietRouter, busyRouter], readable, ZmqTestScope.Generous);

        Assert.Equal(1, count);
        Assert.Equal([false, true], readable);
    }

    [Fact]
    public void Poll_WithNothingToReceive_ReturnsZeroWithoutWaiting()
    {
        var (router, _) = zmq.RouterAndDealer($"inproc://idle-{Guid.NewGuid():N}");
        bool[] readable = [true];

        Assert.Equal(0, ZmqPoller.Poll([router], readable, TimeSpan.Zero));
        Assert.False(readable[0]);
    }

    [Fact]
    public void Poll_WithMoreSocketsThanFitOnTheStack_StillFlagsTheReadyOne()
    {
        ZmqSocket[] sockets = Enumerable.Range(0, 20).Select(_ => zmq.Socket(ZmqSocketType.Pull)).ToArray();
        string endpoint = $"inproc://many-{Guid.NewGuid():N}";
        sockets[17].Bind(endpoint);
        ZmqSocket push = zmq.Socket(ZmqSocketType.Push);
        push.Connect(endpoint);
        push.Send("ready"u8);
        bool[] readable = new bool[sockets.Length];

        Assert.Equal(1, ZmqPoller.Poll(sockets, readable, ZmqTestScope.Generous));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i == 17), readable);
    }

    [Fact]
    public void Poll_WithMismatchedSpans_ThrowsArgument()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ArgumentException>(() => ZmqPoller.Poll([socket], new bool[2], TimeSpan.Zero));

        Assert.StartsWith("Expected one readable flag per socket (1), found 2.", error.Message);
    }

    [Fact]
    public void Poll_OfADisposedSocket_ThrowsObjectDisposed()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);
        socket.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ZmqPoller.Poll([socket], new bool[1], TimeSpan.Zero));
    }
}
