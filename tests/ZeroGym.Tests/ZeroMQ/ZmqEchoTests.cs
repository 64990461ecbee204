using System.Buffers.Binary;
using System.Text;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

public sealed class ZmqEchoTests : IDisposable
{
    private readonly ZmqTestScope zmq = new();

    public void Dispose() => zmq.Dispose();

    [Fact]
    public void Echo_OverInproc_ReturnsThePayload()
    {
        var (router, dealer) = zmq.RouterAndDealer($"inproc://echo-{Guid.NewGuid():N}");

        Assert.Equal("step"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "step"u8.ToArray()));
    }

    [Fact]
    public void Echo_OverTcpOnAWildcardPort_ReturnsThePayload()
    {
        var (router, dealer) = zmq.RouterAndDealer("tcp://127.0.0.1:*");

        Assert.Matches(@"^tcp://127\.0\.0\.1:\d+$", router.LastEndpoint);
        Assert.Equal("step"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "step"u8.ToArray()));
    }

    [Fact]
    public void Echo_OverIpc_ReturnsThePayload()
    {
        string directory = Directory.CreateTempSubdirectory("zerogym-zmq-").FullName;
        try
        {
            string endpoint = $"ipc://{Path.Combine(directory, "echo.sock")}";
            var (router, dealer) = zmq.RouterAndDealer(endpoint);

            Assert.Equal(endpoint, router.LastEndpoint);
            Assert.Equal("step"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "step"u8.ToArray()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Echo_OfAnEmptyFrame_ReturnsAnEmptyFrame()
    {
        var (router, dealer) = zmq.RouterAndDealer($"inproc://empty-{Guid.NewGuid():N}");

        Assert.Empty(ZmqTestScope.EchoThroughRouter(router, dealer, []));
    }

    [Fact]
    public void Router_ReceivesTheDealersIdentityAsTheFirstFrame()
    {
        ZmqSocket router = zmq.Socket(ZmqSocketType.Router);
        router.Bind("tcp://127.0.0.1:*");
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);
        dealer.Identity = "client-7"u8.ToArray();
        dealer.Connect(router.LastEndpoint);

        dealer.Send("hello"u8);
        var frames = new List<byte[]>();

        Assert.True(router.TryReceiveMultipart(frames, ZmqTestScope.Generous));
        Assert.Equal(["client-7"u8.ToArray(), "hello"u8.ToArray()], frames);
    }

    [Fact]
    public void Multipart_ArrivesWholeAndInOrder()
    {
        var (router, dealer) = zmq.RouterAndDealer($"inproc://multipart-{Guid.NewGuid():N}");
        byte[][] sent = ["one"u8.ToArray(), [], "three"u8.ToArray()];

        dealer.SendMultipart(sent);
        var frames = new List<byte[]> { "stale"u8.ToArray() };

        Assert.True(router.TryReceiveMultipart(frames, ZmqTestScope.Generous));
        Assert.Equal(4, frames.Count);
        Assert.Equal(sent, frames.Skip(1));
    }

    [Fact]
    public void Receive_OfAFrameWithMoreToFollow_ReportsMore()
    {
        var (router, dealer) = zmq.RouterAndDealer($"inproc://more-{Guid.NewGuid():N}");
        dealer.Send("first"u8, more: true);
        dealer.Send("last"u8);
        using var message = new ZmqMessage();

        Assert.True(router.TryReceive(message, ZmqTestScope.Generous)); // the identity frame
        Assert.True(message.More);
        Assert.True(router.HasMoreToReceive);
        router.Receive(message);
        Assert.Equal("first"u8, message.Data);
        Assert.True(message.More);
        router.Receive(message);
        Assert.Equal("last"u8, message.Data);
        Assert.False(message.More);
        Assert.False(router.HasMoreToReceive);
    }

    [Fact]
    public void TryReceive_WhenNothingArrives_ReturnsFalseAndTheSocketStaysUsable()
    {
        var (router, dealer) = zmq.RouterAndDealer($"inproc://timeout-{Guid.NewGuid():N}");
        using var message = new ZmqMessage();

        Assert.False(dealer.TryReceive(message, ZmqTestScope.Brief));
        Assert.False(dealer.TryReceive(message, TimeSpan.Zero));
        Assert.Equal(0, message.Size);
        Assert.Equal("again"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "again"u8.ToArray()));
    }

    [Fact]
    public void TryReceive_WaitingInVain_AllocatesNothing()
    {
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);
        using var message = new ZmqMessage();
        TimeSpan wait = TimeSpan.FromMilliseconds(1);
        dealer.TryReceive(message, wait); // warms up every call on the way

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Assert.False(dealer.TryReceive(message, wait));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
    }

    [Fact]
    public void TryReceiveFrame_WhenNothingArrives_ReturnsFalseAndAnEmptyFrame()
    {
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);

        Assert.False(dealer.TryReceiveFrame(out byte[] frame, TimeSpan.Zero));
        Assert.Empty(frame);
    }

    [Fact]
    public void TryReceiveMultipart_WhenNothingArrives_ReturnsFalseWithTheListCleared()
    {
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);
        var frames = new List<byte[]> { "stale"u8.ToArray() };

        Assert.False(dealer.TryReceiveMultipart(frames, TimeSpan.Zero));
        Assert.Empty(frames);
    }

    [Fact]
    public void ReceiveFrame_ReturnsACopyThatOutlivesTheNextReceive()
    {
        ZmqSocket pair = zmq.Socket(ZmqSocketType.Pair);
        ZmqSocket peer = zmq.Socket(ZmqSocketType.Pair);
        string endpoint = $"inproc://pair-{Guid.NewGuid():N}";
        pair.Bind(endpoint);
        peer.Connect(endpoint);

        peer.Send("first"u8);
        peer.Send("second"u8);
        byte[] first = pair.ReceiveFrame();
        byte[] second = pair.ReceiveFrame();

        Assert.Equal("first", Encoding.ASCII.GetString(first));
        Assert.Equal("second", Encoding.ASCII.GetString(second));
    }

    [Fact]
    public void TrySend_WithoutAPeer_ReturnsFalse()
    {
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);

        Assert.False(dealer.TrySend("nobody"u8));
    }

    [Fact]
    public void Send_FromARouterWithRouterMandatoryToAnUnknownIdentity_ThrowsHostUnreachable()
    {
        ZmqSocket router = zmq.Socket(ZmqSocketType.Router);
        router.RouterMandatory = true;

        var error = Assert.Throws<ZmqException>(() => router.Send("nobody"u8, more: true));

        Assert.Equal("zmq_send", error.Call);
        Assert.Equal("zmq_send failed: Host unreachable (errno 113)", error.Message);
    }

    [Fact]
    public void Message_ReusedForAHundredThousandFrames_HoldsEachFrameInTurnWithoutAllocating()
    {
        ZmqSocket sender = zmq.Socket(ZmqSocketType.Pair);
        ZmqSocket receiver = zmq.Socket(ZmqSocketType.Pair);
        string endpoint = $"inproc://reuse-{Guid.NewGuid():N}";
        receiver.Bind(endpoint);
        sender.Connect(endpoint);
        using var message = new ZmqMessage();
        const int batchSize = 500; // below the default high watermark, so sending a batch never blocks

        SendAndReceive(0, batchSize); // warms up every call so the measured part allocates nothing
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int mismatches = SendAndReceive(batchSize, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(0, mismatches);
        Assert.Equal(0, allocated);

        int SendAndReceive(int from, int to)
        {
            Span<byte> frame = stackalloc byte[sizeof(int)];
            int wrong = 0;
            for (int start = from; start < to; start += batchSize)
            {
                for (int i = start; i < start + batchSize; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(frame, i);
                    sender.Send(frame);
                }

                for (int i = start; i < start + batchSize; i++)
                {
                    if (!receiver.TryReceive(message, ZmqTestScope.Generous) ||
                        message.Size != sizeof(int) ||
                        BinaryPrimitives.ReadInt32LittleEndian(message.Data) != i)
                    {
                        wrong++;
                    }
                }
            }

            return wrong;
        }
    }
}
