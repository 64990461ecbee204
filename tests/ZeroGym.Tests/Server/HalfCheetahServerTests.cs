using ZeroGym.Arrays;
using ZeroGym.Envs.MuJoCo.HalfCheetah;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>HalfCheetah-v5 served by a real server on loopback, through the C# client.</summary>
public sealed class HalfCheetahServerTests
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public void RemoteEnv_StepsExactlyAsTheEnvInProcess()
    {
        using var server = new TestServer();
        using var remote = RemoteEnv.Make("HalfCheetah-v5", server.Address, options: Quick);
        using var local = new HalfCheetahEnv();

        var observations = Assert.IsType<Box>(remote.ObservationSpace);
        Assert.Equal((DType.Float64, 17), (observations.DType, observations.Shape[0]));
        var actions = Assert.IsType<Box>(remote.ActionSpace);
        Assert.Equal((DType.Float32, 6), (actions.DType, actions.Shape[0]));
        Assert.Equal(1000, remote.Spec.MaxEpisodeSteps);
        Assert.Equal(4800.0, remote.Spec.RewardThreshold);

        var (remoteStart, remoteInfo) = remote.Reset(seed: 8);
        var (localStart, localInfo) = local.Reset(seed: 8);
        Assert.Equal(Doubles(localStart), Doubles(remoteStart));
        Assert.Equal(localInfo["x_position"], remoteInfo["x_position"]);

        var random = new Random(2);
        for (int i = 0; i < 10; i++)
        {
            var action = remote.ActionSpace.Sample(random);
            var remoteStep = remote.Step(action);
            var localStep = local.Step(action);
            Assert.Equal(Doubles(localStep.Observation), Doubles(remoteStep.Observation));
            Assert.Equal(localStep.Reward, remoteStep.Reward);
            foreach (var key in new[] { "x_position", "x_velocity", "reward_forward", "reward_ctrl" })
            {
                Assert.Equal(localStep.Info[key], remoteStep.Info[key]);
            }
        }
    }

    [Fact]
    public void RemoteEnv_RendersFrames()
    {
        using var server = new TestServer();
        using var env = RemoteEnv.Make("HalfCheetah-v5", server.Address, renderMode: "rgb_array", options: Quick);
        env.Reset(seed: 0);
        var frame = env.Render();
        Assert.Equal(DType.UInt8, frame.DType);
        Assert.Equal([480, 480, 3], frame.Shape);
        Assert.Contains(frame.Data, value => value > 100);
    }

    [Fact]
    public void RemoteVectorEnv_StepsSixteenCheetahs()
    {
        using var server = new TestServer();
        using var envs = RemoteVectorEnv.Make("HalfCheetah-v5", 16, server.Address, options: Quick);
        var reset = envs.Reset(seed: 0);
        Assert.Equal([16, 17], ((NDArray)reset.Observations).Shape);

        var step = envs.Step(NDArray.From(new float[16 * 6], 16, 6));
        Assert.Equal([16, 17], ((NDArray)step.Observations).Shape);
        Assert.Equal(16, step.Rewards.Length);
        Assert.DoesNotContain(true, step.Terminated);
    }

    [Fact]
    public void DivergedSimulation_IsEnvFailure_ForThatEnvOnly()
    {
        using var server = new TestServer();
        using var client = new ZeroGymClient(server.Address, Quick);
        using var diverging = RemoteEnv.Make("HalfCheetah-v5", server.Address, options: Quick);
        using var healthy = RemoteEnv.Make("HalfCheetah-v5", server.Address, options: Quick);
        diverging.Reset(options: new Dictionary<string, object?> { ["qvel"] = NDArray.From(Enumerable.Repeat(1e11, 9).ToArray()) });
        healthy.Reset(seed: 0);

        var zeros = NDArray.From(new float[6]);
        var error = Assert.Throws<ZeroGymException>(() => diverging.Step(zeros));
        Assert.Equal(ErrorCodes.EnvFailure, error.Code);
        Assert.Contains("diverged", error.Message);
        Assert.False(healthy.Step(zeros).Terminated);
    }

    private static double[] Doubles(object observation) => ((NDArray)observation).ToArray<double>();
}
