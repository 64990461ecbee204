using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.ZeroMQ;

public sealed class ZmqCurveTests : IDisposable
{
    private readonly ZmqTestScope zmq = new();

    public void Dispose() => zmq.Dispose();

    [Fact]
    public void Library_IsVersion43OrLaterWithCurveAndIpc()
    {
        var (major, minor, _) = ZmqContext.LibraryVersion;

        Assert.True((major, minor).CompareTo((4, 3)) >= 0, $"libzmq {major}.{minor} is older than 4.3");
        Assert.True(ZmqContext.Has("curve"));
        Assert.True(ZmqContext.Has("ipc"));
        Assert.False(ZmqContext.Has("no-such-capability"));
    }

    [Fact]
    public void Handshake_WithGeneratedKeys_CarriesTheEcho()
    {
        var serverKeys = ZmqCurve.GenerateKeyPair();
        ZmqSocket router = CurveServer(serverKeys.SecretKey);
        ZmqSocket dealer = CurveClient(router.LastEndpoint, serverKeys.PublicKey, "good");

        Assert.Equal("secret"u8.ToArray(), ZmqTestScope.EchoThroughRouter(router, dealer, "secret"u8.ToArray()));
    }

    [Fact]
    public void Client_WithTheWrongServerKey_IsNeverHeardWhileARightOneIs()
    {
        var serverKeys = ZmqCurve.GenerateKeyPair();
        ZmqSocket router = CurveServer(serverKeys.SecretKey);
        ZmqSocket impostor = CurveClient(router.LastEndpoint, ZmqCurve.GenerateKeyPair().PublicKey, "wrong");
        ZmqSocket client = CurveClient(router.LastEndpoint, serverKeys.PublicKey, "right");

        impostor.Send("from the impostor"u8);
        client.Send("from the client"u8);
        var frames = new List<byte[]>();

        Assert.True(router.TryReceiveMultipart(frames, ZmqTestScope.Generous));
        Assert.Equal(["right"u8.ToArray(), "from the client"u8.ToArray()], frames);
        Assert.False(router.TryReceiveMultipart(frames, ZmqTestScope.Brief));
    }

    [Fact]
    public void HandshakeFailures_AfterTheMonitorStopped_GoNowhere_AndTheContextKeepsServing()
    {
        // libzmq's I/O thread sends each monitor event with a blocking send: were the monitor still on once its reader
        // is closed, the plain-text client's failed handshake would block that thread, and the echo after it.
        ZmqSocket router = CurveServer(ZmqCurve.GenerateKeyPair().SecretKey);
        router.MonitorHandshakeFailures("inproc://stopped-monitor");
        using (ZmqSocket reader = zmq.Context.CreateSocket(ZmqSocketType.Pair))
        {
            reader.Linger = 0;
            reader.Connect("inproc://stopped-monitor");
            router.StopMonitor();
        }

        ZmqSocket plain = zmq.Socket(ZmqSocketType.Dealer);
        plain.Connect(router.LastEndpoint);
        plain.Send("no keys"u8);
        Thread.Sleep(ZmqTestScope.Brief); // the handshake fails meanwhile
        var (echoRouter, echoDealer) = zmq.RouterAndDealer("tcp://127.0.0.1:*");

        Assert.Equal("still served"u8.ToArray(), ZmqTestScope.EchoThroughRouter(echoRouter, echoDealer, "still served"u8.ToArray()));
    }

    [Fact]
    public void Socket_ReadsBackTheCurveKeysItWasGiven()
    {
        var keys = ZmqCurve.GenerateKeyPair();
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        socket.CurveServerKey = keys.PublicKey;
        socket.CurvePublicKey = keys.PublicKey;
        socket.CurveSecretKey = keys.SecretKey;

        Assert.Equal(keys.PublicKey, socket.CurveServerKey);
        Assert.Equal(keys.PublicKey, socket.CurvePublicKey);
        Assert.Equal(keys.SecretKey, socket.CurveSecretKey);
        Assert.False(socket.CurveServer);
    }

    [Fact]
    public void CurveKey_OfTheWrongLength_ThrowsArgument()
    {
        ZmqSocket socket = zmq.Socket(ZmqSocketType.Dealer);

        var error = Assert.Throws<ArgumentException>(() => socket.CurveServerKey = "too-short");

        Assert.StartsWith("Expected a CURVE key of 40 Z85 characters, found 9 characters.", error.Message);
    }

    [Fact]
    public void GenerateKeyPair_GivesDistinctKeysWhosePublicHalfFollowsFromTheSecret()
    {
        var first = ZmqCurve.GenerateKeyPair();
        var second = ZmqCurve.GenerateKeyPair();

        Assert.Equal(40, first.PublicKey.Length);
        Assert.Equal(40, first.SecretKey.Length);
        Assert.NotEqual(first.SecretKey, second.SecretKey);
        Assert.Equal(first.PublicKey, ZmqCurve.PublicKeyFromSecret(first.SecretKey));
        Assert.Equal(second.PublicKey, ZmqCurve.PublicKeyFromSecret(second.SecretKey));
    }

    [Fact]
    public void PublicKeyFromSecret_OfNonZ85Text_ThrowsArgument()
    {
        Assert.Throws<ArgumentException>(() => ZmqCurve.PublicKeyFromSecret(new string('~', 40)));
        Assert.Throws<ArgumentException>(() => ZmqCurve.PublicKeyFromSecret("short"));
    }

    [Fact]
    public void Z85_EncodesTheSpecificationsExample()
    {
        byte[] data = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

        Assert.Equal("HelloWorld", ZmqCurve.Z85Encode(data));
        Assert.Equal(data, ZmqCurve.Z85Decode("HelloWorld"));
    }

    [Fact]
    public void Z85_RoundTripsEveryByteValue()
    {
        byte[] data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        string text = ZmqCurve.Z85Encode(data);

        Assert.Equal(320, text.Length);
        Assert.Equal(data, ZmqCurve.Z85Decode(text));
        Assert.Equal("", ZmqCurve.Z85Encode([]));
        Assert.Empty(ZmqCurve.Z85Decode(""));
    }

    [Theory]
    [InlineData("Hell")] // not a multiple of 5 characters
    [InlineData("Hell~")] // '~' is not in the alphabet
    [InlineData("Hellé")] // not ASCII
    public void Z85Decode_OfInvalidText_ThrowsArgument(string text)
    {
        Assert.Throws<ArgumentException>(() => ZmqCurve.Z85Decode(text));
    }

    [Fact]
    public void Z85Encode_OfALengthNotAMultipleOfFour_ThrowsArgument()
    {
        var error = Assert.Throws<ArgumentException>(() => ZmqCurve.Z85Encode(new byte[7]));

        Assert.StartsWith("Expected a number of bytes that is a multiple of 4, found 7.", error.Message);
    }

    private ZmqSocket CurveServer(string secretKey)
    {
        ZmqSocket router = zmq.Socket(ZmqSocketType.Router);
        router.CurveServer = true;
        router.CurveSecretKey = secretKey;
        router.Bind("tcp://127.0.0.1:*");
        return router;
    }

    private ZmqSocket CurveClient(string endpoint, string serverPublicKey, string identity)
    {
        var keys = ZmqCurve.GenerateKeyPair();
        ZmqSocket dealer = zmq.Socket(ZmqSocketType.Dealer);
        dealer.Identity = System.Text.Encoding.ASCII.GetBytes(identity);
        dealer.CurveServerKey = serverPublicKey;
        dealer.CurvePublicKey = keys.PublicKey;
        dealer.CurveSecretKey = keys.SecretKey;
        dealer.Connect(endpoint);
        return dealer;
    }
}
