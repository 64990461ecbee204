using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.MountainCar;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs.ClassicControl;

/// <summary>
/// MountainCar-v0 and MountainCarContinuous-v0: specs, spaces, reset options, rewards and frames. Their dynamics are
/// checked bit for bit against Gymnasium's recorded trajectories (<see cref="GymnasiumTrajectoryTests"/>); expected
/// values here were printed by Gymnasium 1.2.2.
/// </summary>
public class MountainCarTests
{
    [Fact]
    public void Specs_MatchGymnasiumsRegistrations()
    {
        var registry = BuiltInEnvs.CreateRegistry();
        var discrete = registry.Get("MountainCar-v0");
        var continuous = registry.Get("MountainCarContinuous-v0");

        Assert.Equal((200, -110.0, 30), (discrete.MaxEpisodeSteps, discrete.RewardThreshold, discrete.RenderFps));
        Assert.Equal((999, 90.0, 30), (continuous.MaxEpisodeSteps, continuous.RewardThreshold, continuous.RenderFps));
        Assert.Equal(new Dictionary<string, object?> { ["goal_velocity"] = 0.0 }, discrete.Kwargs);
        Assert.Equal(new Dictionary<string, object?> { ["goal_velocity"] = 0.0 }, continuous.Kwargs);
        Assert.Same(MountainCarEnv.Spec, discrete);
        Assert.Same(MountainCarContinuousEnv.Spec, continuous);
    }

    [Fact]
    public void Spaces_AreGymnasiums()
    {
        var box = new Box(NDArray.From([-1.2f, -0.07f]), NDArray.From([0.6f, 0.07f]));

        Assert.Equal(box, new MountainCarEnv().ObservationSpace);
        Assert.Equal(box, new MountainCarContinuousEnv().ObservationSpace);
        Assert.Equal(new Discrete(3), new MountainCarEnv().ActionSpace);
        Assert.Equal(new Box(-1, 1, [1], DType.Float32), new MountainCarContinuousEnv().ActionSpace);
    }

    [Fact]
    public void Reset_WithSeedAndOptions_MatchesGymnasiumsDocumentedExamples()
    {
        // MountainCar's docstring: reset(seed=123) gives [-0.46352962, 0]; MountainCarContinuous's:
        // reset(seed=123, options={"low": -0.7, "high": -0.5}) gives [-0.5635296, 0].
        var discrete = new MountainCarEnv();
        var continuous = new MountainCarContinuousEnv();

        var first = discrete.Reset(seed: 123);
        var second = continuous.Reset(seed: 123, Options(("low", -0.7), ("high", -0.5)));

        Assert.Equal((-0.4635296273503713, 0.0), discrete.State);
        Assert.Equal([-0.4635296165943146f, 0f], Floats(first.Observation));
        Assert.Equal((-0.5635296273503713, 0.0), continuous.State);
        Assert.Equal([-0.5635296106338501f, 0f], Floats(second.Observation));
    }

    [Theory]
    [InlineData("low", -0.3, "'low' (-0.3) must not exceed 'high' (-0.4)")]
    [InlineData("x_init", 1.0, "reset options are 'low' and 'high'; got unknown option 'x_init'")]
    public void Reset_WithABadOption_ThrowsAndKeepsTheState(string key, object value, string message)
    {
        foreach (Env env in new Env[] { new MountainCarEnv(), new MountainCarContinuousEnv() })
        {
            env.Reset(seed: 0);
            var before = StateOf(env);

            var error = Assert.Throws<ArgumentException>(() => env.Reset(seed: 1, Options((key, value))));

            Assert.Contains(message, error.Message);
            Assert.StartsWith(env is MountainCarEnv ? "MountainCar-v0" : "MountainCarContinuous-v0", error.Message);
            Assert.Equal(before, StateOf(env));
        }
    }

    [Fact]
    public void Step_AtTheLeftWall_StopsTheCar()
    {
        // Pushed left for 50 steps, then with the swing: from seed 0 Gymnasium's car reaches the wall once, moving left.
        var env = new MountainCarEnv();
        var observation = env.Reset(seed: 0).Observation;
        var atTheWall = new List<float[]>();
        for (int step = 0; step < 170; step++)
        {
            long action = step < 50 ? 0L : Floats(observation)[1] > 0 ? 2L : 0L;
            observation = env.Step(action).Observation;
            if (env.State.Position == -1.2) atTheWall.Add(Floats(observation));
        }

        Assert.Single(atTheWall);
        Assert.All(atTheWall, state => Assert.Equal([-1.2f, 0f], state));
    }

    [Fact]
    public void Step_AtTheFlag_TerminatesUnlessTooSlowForTheGoalVelocity()
    {
        var env = new MountainCarEnv();
        var demanding = MountainCarEnv.Spec.Make(new Dictionary<string, object?> { ["goal_velocity"] = 0.5 });
        env.Reset(options: Options(("low", 0.55), ("high", 0.55)));
        demanding.Reset(options: Options(("low", 0.55), ("high", 0.55)));

        Assert.True(env.Step(2L).Terminated);
        Assert.False(demanding.Step(2L).Terminated);
    }

    [Fact]
    public void ContinuousStep_PaysForTheForceAndAHundredAtTheFlag()
    {
        var env = new MountainCarContinuousEnv();
        env.Reset(seed: 0);
        var away = env.Step(NDArray.From([0.5f]));
        env.Reset(options: Options(("low", 0.5), ("high", 0.5)));
        var atFlag = env.Step(NDArray.From([1f]));

        Assert.Equal((-0.025, false), (away.Reward, away.Terminated));
        Assert.Equal((100.0 - 0.1, true), (atFlag.Reward, atFlag.Terminated));

        // Gymnasium pays 0 - 0.0 for no force: +0.0, not -0.0.
        env.Reset(seed: 0);
        Assert.Equal(0L, BitConverter.DoubleToInt64Bits(env.Step(NDArray.From([0f])).Reward));
    }

    [Fact]
    public void Render_DrawsTheFloorTheCarAndTheFlag()
    {
        var env = new MountainCarEnv(renderMode: "rgb_array");
        env.Reset(options: Options(("low", -0.5), ("high", -0.5)));

        var frame = env.Render();

        Assert.Equal(DType.UInt8, frame.DType);
        Assert.Equal([400, 600, 3], frame.Shape);
        byte[] black = [0, 0, 0], grey = [128, 128, 128], yellow = [204, 204, 0], white = [255, 255, 255];
        // 600 / 1.8 pixels per metre. The floor at x = 0 m: height sin(0) · 0.45 + 0.55 = 0.55 m, row 399 - 183 = 216.
        Assert.Equal(black, Pixel(frame, 216, 400));
        Assert.Equal(white, Pixel(frame, 150, 400));
        // The car at -0.5 m: column 233, its body 10..30 pixels above the floor (height 0.10 m, 33 pixels), wheels below.
        Assert.Equal(black, Pixel(frame, 399 - 33 - 25, 233));
        Assert.Contains(Enumerable.Range(220, 30), column => Pixel(frame, 399 - 33 - 10, column).SequenceEqual(grey));
        // The flag at 0.5 m (column 566) in MountainCar-v0, at 0.45 m (column 550) in the continuous version.
        Assert.Equal(yellow, Pixel(frame, 399 - (int)(MountainCarTrack.Height(0.5) * 600 / 1.8) - 48, 570));
        var continuous = new MountainCarContinuousEnv(renderMode: "rgb_array");
        continuous.Reset(options: Options(("low", -0.5), ("high", -0.5)));
        Assert.Equal(yellow, Pixel(continuous.Render(), 399 - (int)(MountainCarTrack.Height(0.45) * 600 / 1.8) - 48, 554));
        Assert.Throws<InvalidOperationException>(() => new MountainCarEnv().Render());
    }

    private static (double, double) StateOf(Env env) => env switch
    {
        MountainCarEnv car => car.State,
        MountainCarContinuousEnv car => car.State,
        _ => throw new ArgumentException($"not a Mountain Car: {env.GetType().Name}"),
    };

    private static byte[] Pixel(NDArray frame, int row, int column) => frame.Data.AsSpan((row * frame.Shape[1] + column) * 3, 3).ToArray();
}
