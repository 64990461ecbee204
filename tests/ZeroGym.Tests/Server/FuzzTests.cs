using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.Server;

/// <summary>
/// Hostile input against the server: every request gets an error reply with a documented code (never
/// <c>internal</c>), memory stays bounded, and a well-behaved client beside the fuzzer never sees an error.
/// </summary>
public sealed class FuzzTests
{
    private const int MaxMessageBytes = 16 * 1024;
    private const int Batch = 64;

    private static readonly HashSet<string> DocumentedCodes =
    [
        ErrorCodes.Malformed, ErrorCodes.TooLarge, ErrorCodes.VersionMismatch, ErrorCodes.UnknownOp, ErrorCodes.UnknownEnv,
        ErrorCodes.InvalidArgument, ErrorCodes.UnknownHandle, ErrorCodes.InvalidAction, ErrorCodes.ResetNeeded,
        ErrorCodes.NotRendering, ErrorCodes.LimitExceeded, ErrorCodes.EnvFailure,
    ];

    private static readonly ServerOptions FuzzedServer = new() { MaxMessageBytes = MaxMessageBytes, MaxEnvsPerClient = 16 };

    [Fact]
    public void HundredThousandHostileMessages_OverZeroMQ_AreAnsweredWithDocumentedErrors_WhileAnotherClientStepsUndisturbed()
    {
        // The log keeps internal errors only: 100,000 warning lines held in memory would swamp the memory check.
        using var server = new TestServer(FuzzedServer, log: new InternalErrorLines());
        using var wellBehaved = new SteppingClient(server.Address);
        using var context = new ZmqContext();
        using var fuzzer = context.CreateSocket(ZmqSocketType.Dealer);
        fuzzer.Linger = 0;
        fuzzer.Connect(server.Address);
        var generator = new RequestFuzzer(seed: 2026, MaxMessageBytes);
        var tally = new ReplyTally();

        long baseline = 0;
        const int messages = 100_000;
        for (int sent = 0; sent < messages; sent += Batch)
        {
            for (int i = 0; i < Batch; i++)
            {
                byte[] payload = generator.Next();
                // One message in a hundred comes as two frames, which the protocol forbids.
                if ((sent + i) % 100 == 99) fuzzer.SendMultipart([payload, payload]);
                else fuzzer.Send(payload);
            }

            for (int i = 0; i < Batch; i++)
            {
                if (!fuzzer.TryReceiveFrame(out var reply, TimeSpan.FromSeconds(30)))
                {
                    Assert.Fail($"no reply to message {sent + i}; internal errors logged:\n{Tail(server)}");
                }

                tally.Check(reply, generator.Handles);
            }

            // The baseline is taken after warm-up: JIT, pools and the envs the fuzzer may hold exist by then.
            if (baseline == 0 && sent >= 20_000) baseline = ManagedMemoryAfterCollection();
        }

        long growth = ManagedMemoryAfterCollection() - baseline;
        wellBehaved.Stop();

        Assert.True(tally.Errors > messages / 2, $"most hostile messages must be refused; {tally}");
        Assert.True(tally.Ok > 100, $"some fuzzed requests are valid and must succeed; {tally}");
        Assert.True(growth < 32 << 20, $"managed memory grew by {growth >> 20} MiB over 80,000 hostile messages");
        Assert.InRange(server.Server.Handler.OpenEnvCount, 0, FuzzedServer.MaxEnvsPerClient + 1);
        Assert.DoesNotContain("internal_error", server.Log.ToString());
        Assert.Null(wellBehaved.Failure);
        Assert.True(wellBehaved.Steps > 100, $"the well-behaved client stepped only {wellBehaved.Steps} times");
    }

    [Fact]
    public void HostileMessages_ThroughTheHandler_NeverThrowOrFailInternally()
    {
        var log = new InternalErrorLines();
        using var handler = new RequestHandler(BuiltInEnvs.CreateRegistry(), FuzzedServer, new ServerLog(log));
        var tally = new ReplyTally();
        foreach (int seed in new[] { 1, 2 })
        {
            var generator = new RequestFuzzer(seed, MaxMessageBytes);
            for (int i = 0; i < 50_000; i++)
            {
                tally.Check(handler.Handle($"fuzzer-{seed}", generator.Next()).ToArray(), generator.Handles);
            }
        }

        Assert.DoesNotContain("internal_error", log.ToString());
        Assert.True(tally.Ok > 100, tally.ToString());
    }

    [Fact]
    public void AMessageBeyondTheTransportLimit_DropsOnlyThatConnection()
    {
        using var server = new TestServer(FuzzedServer);
        using var wellBehaved = RemoteEnv.Make("CartPole-v1", server.Address, options: new ClientOptions { Timeout = TimeSpan.FromSeconds(10) });
        wellBehaved.Reset(seed: 0);
        using var context = new ZmqContext();
        using var flooder = context.CreateSocket(ZmqSocketType.Dealer);
        flooder.Linger = 0;
        flooder.Connect(server.Address);
        flooder.Send(new byte[4 * MaxMessageBytes + 1]);

        Assert.False(flooder.TryReceiveFrame(out _, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1.0, wellBehaved.Step(0L).Reward);
    }

    private static long ManagedMemoryAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Tail(TestServer server)
    {
        string log = server.Log.ToString();
        return log.Length > 3000 ? log[^3000..] : log;
    }

    /// <summary>A log that keeps only internal errors: 300,000 warning lines would cost more than the fuzzing.</summary>
    private sealed class InternalErrorLines : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value?.Contains("internal_error", StringComparison.Ordinal) == true) base.WriteLine(value);
        }
    }

    /// <summary>Checks each reply and counts them by outcome.</summary>
    private sealed class ReplyTally
    {
        private readonly Dictionary<string, int> byCode = [];

        public int Ok { get; private set; }

        public int Errors => byCode.Values.Sum();

        public void Check(byte[] reply, List<long> handles)
        {
            var map = Assert.IsType<Dictionary<object, object?>>(WireValue.Deserialize(reply));
            if (map.TryGetValue("error", out var error))
            {
                var details = Assert.IsType<Dictionary<object, object?>>(error);
                string code = Assert.IsType<string>(details["code"]);
                Assert.True(DocumentedCodes.Contains(code), $"undocumented error code {code}: {details["message"]}");
                Assert.False(string.IsNullOrWhiteSpace(details["message"] as string));
                byCode[code] = byCode.GetValueOrDefault(code) + 1;
                return;
            }

            Ok++;
            // Learn the handles of fuzzed makes that succeeded, so later requests hit live envs.
            if (map.TryGetValue("handle", out var handle) && handle is long made && !handles.Contains(made)) handles.Add(made);
            if (handles.Count > 32) handles.RemoveAt(0);
        }

        public override string ToString() => $"ok {Ok}, errors {string.Join(", ", byCode.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key} {pair.Value}"))}";
    }

    /// <summary>A client on its own thread stepping CartPole and resetting at episode ends, until stopped.</summary>
    private sealed class SteppingClient : IDisposable
    {
        private readonly Thread thread;
        private volatile bool stopping;

        public SteppingClient(string address)
        {
            thread = new Thread(() =>
            {
                try
                {
                    using var env = RemoteEnv.Make("CartPole-v1", address, options: new ClientOptions { Timeout = TimeSpan.FromSeconds(30) });
                    env.Reset(seed: 1);
                    while (!stopping)
                    {
                        var step = env.Step((long)(Steps % 2));
                        Steps++;
                        if (step.Terminated || step.Truncated) env.Reset();
                    }
                }
                catch (Exception error)
                {
                    Failure = error;
                }
            })
            { IsBackground = true, Name = "well-behaved client" };
            thread.Start();
        }

        public long Steps { get; private set; }

        public Exception? Failure { get; private set; }

        public void Stop()
        {
            stopping = true;
            thread.Join();
        }

        public void Dispose() => Stop();
    }
}
