using System.Buffers.Binary;
using System.Net.Sockets;
using ZeroGym.Arrays;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Security;

namespace ZeroGym.Tests.Server;

/// <summary>SPEC.md §1.1 (protocol 1.4): the same-host Unix stream socket a plain-text server serves beside ZeroMQ.</summary>
public sealed class LocalStreamTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void APlainServer_AnnouncesItsLocalStream_InHelloOnBothTransports()
    {
        using var server = new TestServer();
        Assert.NotNull(server.Server.LocalStreamPath);
        using (var client = new ZeroGymClient(server.Address))
        {
            Assert.Contains(ProtocolConstants.LocalStreamCapability, client.Server.Capabilities);
        }

        using var stream = new FramedStream(server.Server.LocalStreamPath!);
        var hello = stream.Call(1, "hello", ("protocol", 1L));
        Assert.Equal(1L, Convert.ToInt64(hello["id"]));
        Assert.Equal(1L, Convert.ToInt64(hello["protocol"]));
        Assert.Equal(server.Server.LocalStreamPath, hello["local_stream"]);
        Assert.Contains(ProtocolConstants.LocalStreamCapability, ((object?[])hello["capabilities"]!).Cast<string>());
    }

    [Fact]
    public void AnEnvSteppedOnTheLocalStream_GivesWhatItGivesOverZeroMQ()
    {
        using var server = new TestServer();
        var overZeroMq = new List<float>();
        using (var env = RemoteEnv.Make("CartPole-v1", server.Address))
        {
            overZeroMq.AddRange(((NDArray)env.Reset(seed: 3).Observation).ToArray<float>());
            for (int t = 0; t < 20; t++) overZeroMq.AddRange(((NDArray)env.Step((long)(t % 2)).Observation).ToArray<float>());
        }

        using var stream = new FramedStream(server.Server.LocalStreamPath!);
        stream.Call(1, "hello", ("protocol", 1L));
        object? handle = stream.Call(2, "make", ("env", "CartPole-v1"))["handle"];
        var overStream = new List<float>(Observation(stream.Call(3, "reset", ("handle", handle), ("seed", 3L))));
        for (int t = 0; t < 20; t++) overStream.AddRange(Observation(stream.Call(4 + (ulong)t, "step", ("handle", handle), ("action", (long)(t % 2)))));

        Assert.Equal(overZeroMq, overStream);
    }

    [Fact]
    public void AClientThatMovedToTheStream_IsCountedOnce()
    {
        using var server = new TestServer();
        using var client = new ZeroGymClient(server.Address, new ClientOptions { Timeout = Timeout });
        Assert.Equal("local_stream", client.Transport);
        using var env = client.Make("CartPole-v1");
        Assert.Equal(1, server.Server.Handler.ClientCount);
    }

    [Fact]
    public void PipelinedRequestsInOneWrite_AreAnsweredInOrder()
    {
        using var server = new TestServer();
        using var stream = new FramedStream(server.Server.LocalStreamPath!);
        stream.Write([.. FramedStream.Frame(1, "hello", ("protocol", 1L)), .. FramedStream.Frame(2, "ping"), .. FramedStream.Frame(3, "ping")]);
        Assert.Equal([1L, 2L, 3L], Enumerable.Range(0, 3).Select(_ => Convert.ToInt64(stream.ReadReply()["id"])));
    }

    [Fact]
    public void AMessageAboveTheHardLimit_ClosesItsConnection_AndOthersGoOn()
    {
        using var server = new TestServer(new ServerOptions { MaxMessageBytes = 4096 });
        using var other = new FramedStream(server.Server.LocalStreamPath!);
        other.Call(1, "hello", ("protocol", 1L));
        using var stream = new FramedStream(server.Server.LocalStreamPath!);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 4 * 4096 + 1);
        stream.Write(header);
        Assert.True(stream.EndsWithin(Timeout), "expected the server to close a connection whose message is above 4 × max_message_bytes");
        Assert.Contains("local_stream_closed", server.LogText());
        Assert.Equal(2L, Convert.ToInt64(other.Call(2, "ping")["id"]));
    }

    [Fact]
    public void ARequestAboveMaxMessageBytes_IsTooLarge_AsOverZeroMQ()
    {
        using var server = new TestServer(new ServerOptions { MaxMessageBytes = 4096 });
        using var stream = new FramedStream(server.Server.LocalStreamPath!);
        var reply = stream.Call(1, "ping", ("padding", new byte[8000]));
        Assert.Equal("too_large", ((Dictionary<object, object?>)reply["error"]!)["code"]);
    }

    [Fact]
    public void AServerWithoutIt_OrWithCurve_OffersNoLocalStream()
    {
        using (var server = new TestServer(new ServerOptions { LocalStream = false }))
        {
            Assert.Null(server.Server.LocalStreamPath);
            using var client = new ZeroGymClient(server.Address);
            Assert.DoesNotContain(ProtocolConstants.LocalStreamCapability, client.Server.Capabilities);
        }

        var serverKeys = CurveKeyPair.Generate();
        var clientKeys = CurveKeyPair.Generate();
        using (var server = new TestServer(new ServerOptions
        {
            Curve = new CurveSecurity(serverKeys, new Dictionary<string, string> { [clientKeys.PublicKey] = "alice" }),
        }))
        {
            Assert.Null(server.Server.LocalStreamPath);
            var options = new ClientOptions { CurveServerKey = serverKeys.PublicKey, CurveClientKey = clientKeys.SecretKey, Timeout = Timeout };
            using var client = new ZeroGymClient(server.Address, options);
            Assert.DoesNotContain(ProtocolConstants.LocalStreamCapability, client.Server.Capabilities);
        }
    }

    [Fact]
    public void StoppingTheServer_RemovesItsSocketFolder_AndEndsItsConnections()
    {
        string path;
        FramedStream stream;
        using (var server = new TestServer())
        {
            path = server.Server.LocalStreamPath!;
            stream = new FramedStream(path);
            stream.Call(1, "hello", ("protocol", 1L));
        }

        using (stream)
        {
            Assert.True(stream.EndsWithin(Timeout), "expected the connection to end with the server");
        }

        Assert.False(Directory.Exists(Path.GetDirectoryName(path)), $"expected {Path.GetDirectoryName(path)} removed with the server");
    }

    [Fact]
    public void TheCSharpClient_MovesToTheStream_AndStepsAsOverZeroMQ()
    {
        using var server = new TestServer();
        float[] Run(bool localStream, out string transport)
        {
            using var client = new ZeroGymClient(server.Address, new ClientOptions { LocalStream = localStream, Timeout = Timeout });
            transport = client.Transport;
            using var envs = client.MakeVec("CartPole-v1", 3);
            var observations = new List<float>(((NDArray)envs.Reset(seed: 5).Observations).ToArray<float>());
            for (int t = 0; t < 30; t++)
            {
                observations.AddRange(((NDArray)envs.Step(NDArray.From(new long[] { t % 2, 1, 0 })).Observations).ToArray<float>());
            }

            return [.. observations];
        }

        var overZeroMq = Run(localStream: false, out string zeroMq);
        var overStream = Run(localStream: true, out string local);
        Assert.Equal(("zeromq", "local_stream"), (zeroMq, local));
        Assert.Equal(overZeroMq, overStream);
    }

    [Fact]
    public async Task ZeroMQAndStreamClients_SteppingAtOnce_AreAllServed()
    {
        // The loop waits on the ROUTER's edge-triggered descriptor beside the streams: a signal it missed would leave a
        // ZeroMQ request unserved until the client's timeout, here while stream requests keep the loop busy.
        using var server = new TestServer();
        void Drive(bool localStream, bool asynchronous)
        {
            using var client = new ZeroGymClient(server.Address, new ClientOptions { LocalStream = localStream, Timeout = Timeout });
            Assert.Equal(localStream ? "local_stream" : "zeromq", client.Transport);
            using var envs = client.MakeVec("CartPole-v1", 4, batchSize: asynchronous ? 2 : 4);
            if (!asynchronous)
            {
                envs.Reset(seed: 1);
                for (int t = 0; t < 1500; t++) envs.Step(NDArray.From(new long[] { t % 2, 1, 0, 1 }));
                return;
            }

            envs.AsyncReset(seed: 1);
            for (int t = 0; t < 1500; t++)
            {
                var batch = envs.Receive();
                envs.Send(NDArray.From(new long[] { t % 2, 1 }), batch.EnvIds);
            }
        }

        var clients = new[] { (false, false), (false, true), (true, false), (true, true) }
            .Select(kind => Task.Run(() => Drive(kind.Item1, kind.Item2))).ToArray();
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void TheCSharpClient_PipelinesAsyncCallsOnTheStream()
    {
        using var server = new TestServer();
        using var client = new ZeroGymClient(server.Address, new ClientOptions { Timeout = Timeout });
        Assert.Equal("local_stream", client.Transport);
        using var envs = client.MakeVec("CartPole-v1", 8, batchSize: 4);
        envs.AsyncReset(seed: 0);
        var counts = new int[8];
        for (int round = 0; round < 50; round++)
        {
            var batch = envs.Receive();
            Assert.Equal(4, batch.EnvIds.Distinct().Count());
            foreach (int id in batch.EnvIds) counts[id]++;
            envs.Send(NDArray.From(new long[] { 0, 1, 0, 1 }), batch.EnvIds);
        }

        Assert.Equal(200, counts.Sum());
    }

    private static float[] Observation(Dictionary<object, object?> reply) => WireFormat.ReadArray(reply["obs"], "obs").ToArray<float>();

    /// <summary>A client of SPEC.md §1.1 written from the spec: length-prefixed MessagePack on a Unix stream socket.</summary>
    private sealed class FramedStream : IDisposable
    {
        private readonly Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

        public FramedStream(string path)
        {
            socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }

        public static byte[] Frame(ulong id, string op, params (string Key, object? Value)[] fields)
        {
            var request = new Dictionary<string, object?> { ["id"] = id, ["op"] = op };
            foreach (var (key, value) in fields) request[key] = value;
            byte[] payload = WireValue.Serialize(request);
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payload.Length);
            payload.CopyTo(frame, 4);
            return frame;
        }

        public Dictionary<object, object?> Call(ulong id, string op, params (string Key, object? Value)[] fields)
        {
            Write(Frame(id, op, fields));
            var reply = ReadReply();
            Assert.Equal((long)id, Convert.ToInt64(reply["id"]));
            return reply;
        }

        public void Write(byte[] bytes) => socket.Send(bytes);

        public Dictionary<object, object?> ReadReply()
        {
            var header = ReadExactly(4);
            return (Dictionary<object, object?>)WireValue.Deserialize(ReadExactly((int)BinaryPrimitives.ReadUInt32LittleEndian(header)))!;
        }

        /// <summary>Whether the server closes the connection within <paramref name="wait"/> (nothing else may arrive).</summary>
        public bool EndsWithin(TimeSpan wait)
        {
            socket.ReceiveTimeout = (int)wait.TotalMilliseconds;
            try
            {
                return socket.Receive(new byte[1]) == 0;
            }
            catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionReset)
            {
                return true;
            }
        }

        private byte[] ReadExactly(int count)
        {
            var bytes = new byte[count];
            for (int read = 0; read < count;)
            {
                int got = socket.Receive(bytes, read, count - read, SocketFlags.None);
                if (got == 0) throw new EndOfStreamException($"expected {count} bytes of a reply; the server closed the stream after {read}");
                read += got;
            }

            return bytes;
        }

        public void Dispose() => socket.Dispose();
    }
}
