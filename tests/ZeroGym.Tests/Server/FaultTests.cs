using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.Server;

/// <summary>Faults around the server: clients that stop reading, servers that die under waiting clients.</summary>
public sealed class FaultTests
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public void AClientThatNeverReadsItsReplies_LosesThemAlone_AndTheServerStaysSmall()
    {
        using var server = new TestServer(new ServerOptions { MaxOutstandingRequests = 50 });
        using var other = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
        other.Reset(seed: 0);
        using var context = new ZmqContext();
        using var deaf = context.CreateSocket(ZmqSocketType.Dealer);
        deaf.Linger = 0;
        deaf.SendHighWatermark = 50;
        deaf.ReceiveHighWatermark = 50;
        deaf.Connect(server.Address);

        // 'list' replies are a few KB, so the kernel's socket buffers fill too, and then the server's queue for it.
        byte[] list = WireValue.Serialize(new Dictionary<object, object?> { ["id"] = 1UL, ["op"] = Ops.List });
        int accepted = 0;
        // At least 3 s, and until a second drop line (the first with a count) came, which a loaded machine delays.
        var started = DateTime.UtcNow;
        int DropLines() => server.LogText().Split('\n').Count(line => line.Contains("event=reply_dropped"));
        while (DateTime.UtcNow < started + TimeSpan.FromSeconds(3) || (DropLines() < 2 && DateTime.UtcNow < started + TimeSpan.FromSeconds(15)))
        {
            if (deaf.TrySend(list)) accepted++;
            else Thread.Sleep(1); // this client's queues are full: the server takes no more from it for now
            if (accepted % 20 != 0) continue;
            var step = other.Step(0L); // served throughout
            Assert.Equal(1.0, step.Reward);
            if (step.Terminated || step.Truncated) other.Reset();
        }

        Assert.True(accepted > 1_000, $"the server should keep taking requests it can answer or drop; took {accepted}");
        string log = server.Log.ToString();
        Assert.Contains("event=reply_dropped", log);
        Assert.Contains("not reading its replies", log);
        // One line per second at most, each after the first with a count of what it stands for.
        int lines = DropLines();
        Assert.InRange(lines, 2, (int)(DateTime.UtcNow - started).TotalSeconds + 2);
        Assert.Contains("dropped_since_last_line=", log);
    }

    [Fact]
    public void AServerThatDiesUnderAWaitingClient_TimesItOut_ThenAfterARestartTheEnvIsGoneUntilReset()
    {
        // The port the first server was given, not one found free beforehand: another test's wildcard bind may take
        // that between the look and the bind.
        var first = new TestServer();
        string address = first.Address;
        using var env = RemoteEnv.Make("CartPole-v1", address, options: new ClientOptions { Timeout = TimeSpan.FromMilliseconds(500) });
        env.Reset(seed: 1);
        first.Dispose();

        var timedOut = Assert.Throws<ServerTimeoutException>(() => env.Step(0L));
        Assert.Contains(address, timedOut.Message);
        Assert.Contains("server is running", timedOut.Message);

        using var second = new TestServer(endpoint: address);
        var gone = Assert.Throws<ZeroGymException>(() => env.Step(0L));
        Assert.Equal(ErrorCodes.UnknownHandle, gone.Code);
        env.Reset(seed: 1);
        Assert.Equal(1.0, env.Step(0L).Reward);
    }
}
