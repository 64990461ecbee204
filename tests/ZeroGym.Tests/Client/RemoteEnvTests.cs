using System.Net;
using System.Net.Sockets;
using ZeroGym.Arrays;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;
using ZeroGym.Tests.Server;
using ZeroGym.Transport.Interop.ZeroMQ;

namespace ZeroGym.Tests.Client;

/// <summary>The C# client against a real server over loopback TCP.</summary>
public sealed class RemoteEnvTests
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public void Make_GivesTypedSpacesAndSpec()
    {
        using var server = new TestServer();
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);

        var observations = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal(DType.Float32, observations.DType);
        Assert.Equal(new Discrete(2), env.ActionSpace);
        Assert.Equal("CartPole-v1", env.Spec.Id);
        Assert.Equal(500, env.Spec.MaxEpisodeSteps);
        Assert.Equal(475.0, env.Spec.RewardThreshold);
    }

    [Fact]
    public void AnEpisode_RunsToTheEnd_WithObservationsInTheSpace()
    {
        using var server = new TestServer();
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
        var (first, info) = env.Reset(seed: 3);
        Assert.True(env.ObservationSpace.Contains(first));
        Assert.Empty(info);

        StepResult step;
        int length = 0;
        do
        {
            step = env.Step(1L);
            length++;
            Assert.Equal(1.0, step.Reward);
        }
        while (!step.Terminated && !step.Truncated);
        Assert.True(step.Terminated);
        Assert.InRange(length, 5, 100);

        var error = Assert.Throws<ZeroGymException>(() => env.Step(1L));
        Assert.Equal(ErrorCodes.ResetNeeded, error.Code);
    }

    [Fact]
    public async Task AsyncCalls_GiveTheSameResultsAsSyncOnes()
    {
        using var server = new TestServer();
        using var client = new ZeroGymClient(server.Address, Quick);
        using var syncEnv = client.Make("CartPole-v1");
        using var asyncEnv = await client.MakeAsync("CartPole-v1");

        var expected = (NDArray)syncEnv.Reset(seed: 11).Observation;
        var actual = (NDArray)(await asyncEnv.ResetAsync(seed: 11)).Observation;
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        var steps = await Task.WhenAll(asyncEnv.StepAsync(0L), Task.Run(() => syncEnv.Step(0L)));
        Assert.Equal(((NDArray)steps[0].Observation).ToArray<float>(), ((NDArray)steps[1].Observation).ToArray<float>());
    }

    [Fact]
    public void Render_GivesAFrame()
    {
        using var server = new TestServer();
        using var env = RemoteEnv.Make("CartPole-v1", server.Address, renderMode: "rgb_array", options: Quick);
        env.Reset(seed: 0);
        var frame = env.Render();
        Assert.Equal([400, 600, 3], frame.Shape);
    }

    [Fact]
    public void VectorEnv_AutoresetsOnTheStepAfterTheEnd()
    {
        using var server = new TestServer();
        using var env = RemoteVectorEnv.Make("CartPole-v1", 2, server.Address, options: Quick);
        Assert.Equal(new Discrete(2), env.SingleActionSpace);
        env.Reset(seed: 0);
        var push = NDArray.From(new long[] { 1, 1 });
        VectorStepResult step;
        int steps = 0;
        do
        {
            step = env.Step(push);
            steps++;
        }
        while (!step.Terminated[0]);

        var next = env.Step(push);
        Assert.Equal(0.0, next.Rewards[0]);
        Assert.False(next.Terminated[0]);
        var observations = ((NDArray)next.Observations).ToArray<float>();
        Assert.All(observations[..4], value => Assert.InRange(value, -0.05f, 0.05f));
    }

    [Fact]
    public void TwoClients_AtOnce_DoNotDisturbEachOther()
    {
        using var server = new TestServer();
        var returns = new double[2];
        Parallel.For(0, 2, i =>
        {
            using var env = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
            for (int episode = 0; episode < 5; episode++)
            {
                env.Reset(seed: episode);
                StepResult step;
                do
                {
                    step = env.Step((long)(episode % 2));
                    returns[i] += step.Reward;
                }
                while (!step.Terminated && !step.Truncated);
            }
        });
        Assert.Equal(returns[0], returns[1]);
    }

    [Fact]
    public void AClientKilledMidEpisode_LeavesTheOthersServed_AndItsEnvsAreClosedWhenIdle()
    {
        using var server = new TestServer(new ServerOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        using var survivor = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
        survivor.Reset(seed: 0);

        // A raw DEALER makes an env, starts stepping, and vanishes without closing it (as a killed process does).
        using (var context = new ZmqContext())
        using (var victim = context.CreateSocket(ZmqSocketType.Dealer))
        {
            victim.Linger = 0;
            victim.Connect(server.Address);
            victim.Send(WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 1L, ["op"] = "make", ["env"] = "CartPole-v1" }));
            var made = (Dictionary<object, object?>)WireValue.Deserialize(victim.ReceiveFrame())!;
            victim.Send(WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 2L, ["op"] = "reset", ["handle"] = made["handle"] }));
            victim.Send(WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 3L, ["op"] = "step", ["handle"] = made["handle"], ["action"] = 1L }));
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!server.Log.ToString().Contains("reason=idle") && DateTime.UtcNow < deadline)
        {
            if (survivor.Step(1L) is { Terminated: true } or { Truncated: true }) survivor.Reset();
            Thread.Sleep(20);
        }

        Assert.Contains("reason=idle", server.Log.ToString());
        survivor.Reset();
        survivor.Step(0L);
    }

    [Fact]
    public void NoServer_TimesOutWithAMessageNamingTheEndpoint()
    {
        string address = $"tcp://127.0.0.1:{FreePort()}";
        var error = Assert.Throws<ServerTimeoutException>(() => new ZeroGymClient(address, new ClientOptions { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains(address, error.Message);
        Assert.Contains("server is running", error.Message);
    }

    [Fact]
    public void AfterAServerRestart_ResetMakesTheEnvAgain_AndStepSaysItIsGone()
    {
        string address = $"tcp://127.0.0.1:{FreePort()}";
        var first = new TestServer(endpoint: address);
        var env = RemoteEnv.Make("CartPole-v1", address, options: Quick);
        env.Reset(seed: 1);
        env.Step(0L);
        first.Dispose();

        using var second = new TestServer(endpoint: address);
        using var _ = env;
        var gone = Assert.Throws<ZeroGymException>(() => env.Step(0L));
        Assert.Equal(ErrorCodes.UnknownHandle, gone.Code);
        Assert.Contains("Reset()", gone.Message);

        var (observation, _) = env.Reset(seed: 1);
        Assert.True(env.ObservationSpace.Contains(observation));
        env.Step(0L);
        Assert.Equal(1, second.Server.Handler.OpenEnvCount);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
