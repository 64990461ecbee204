using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.EnvServer.Python;

namespace ZeroGym.Tests.Server;

/// <summary>Calls into envs in worker processes run off the loop thread: their client waits, in order; nobody else does.</summary>
public sealed partial class RequestHandlerTests
{
    [Fact]
    public void ACallIntoAWorkerProcess_HoldsItsClientsLaterRequestsInOrder_WhileOtherClientsAreAnsweredAtOnce()
    {
        using var python = new PythonEnvs(PythonEnvTests.Options with { Workers = 1 });
        var pythonRegistry = BuiltInEnvs.CreateRegistry();
        // Its calls outlast any preemption of the loop thread, so none can finish before the loop leaves it to run.
        python.Register(pythonRegistry, PythonEnvDefinition.Parse("Sleepy-v0=toy_envs:Sleepy"));
        using var finished = new SemaphoreSlim(0);
        using var server = new RequestHandler(pythonRegistry, new ServerOptions { MaxOutstandingRequests = 2 }, new ServerLog(log), null, workers: null,
            new OffLoopCalls(TimeSpan.Zero, () => finished.Release()));
        // Making a Python env takes a worker process: off the loop too.
        Assert.Null(CallOn(server, "a", "make", ("env", "Sleepy-v0"), ("kwargs", new Dictionary<string, object?> { ["goal"] = 100L, ["delay_ms"] = 50.0 })));
        Assert.True(finished.Wait(TimeSpan.FromSeconds(60)), "the make never finished");
        server.FinishOffLoopCalls();
        long handle = (long)Ok(Assert.Single(Flush(server)).Message)["handle"]!;

        Assert.Null(CallOn(server, "a", "reset", ("handle", handle), ("seed", 0L)));
        ulong resetId = nextId;
        Assert.Null(CallOn(server, "a", "step", ("handle", handle), ("action", 2L)));
        Assert.Null(CallOn(server, "a", "ping"));
        // Beyond MaxOutstandingRequests waiting: answered in its place, after the others.
        Assert.Null(CallOn(server, "a", "ping"));
        Ok(CallOn(server, "b", "ping")!);
        Assert.Empty(Flush(server));

        // The reset's outcome lets the step go off the loop in turn; the pings wait for it.
        Assert.True(finished.Wait(TimeSpan.FromSeconds(30)), "the reset never finished");
        server.FinishOffLoopCalls();
        var reset = Assert.Single(Flush(server));
        Assert.True(finished.Wait(TimeSpan.FromSeconds(30)), "the step never finished");
        server.FinishOffLoopCalls();
        var rest = Flush(server);

        Assert.Equal([resetId, resetId + 1, resetId + 2, resetId + 3], [.. new[] { reset }.Concat(rest).Select(reply => (ulong)(long)reply.Message["id"]!)]);
        Assert.All(new[] { reset }.Concat(rest), reply => Assert.Equal("a", reply.Client));
        Assert.Equal([0f], Observation(Ok(reset.Message))[..1]);
        Assert.Equal([1f], Observation(Ok(rest[0].Message))[..1]);
        Ok(rest[1].Message);
        Assert.Contains($"2 requests already wait behind the client's 'reset' of env {handle} (Sleepy-v0)", Error(rest[2].Message, ErrorCodes.LimitExceeded));
    }
}
