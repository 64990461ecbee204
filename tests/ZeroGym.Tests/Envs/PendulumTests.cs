using ZeroGym.Arrays;
using ZeroGym.Envs.Pendulum;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// Pendulum-v1 against Gymnasium's definition. Expected values were printed by `/usr/bin/python3` with numpy 1.24.2
/// (repr, so exact): starts are <c>np.random.default_rng(seed).uniform(low=-high, high=high)</c> with
/// high = [pi, 1] as Gymnasium's reset draws them; the trajectory transcribes Gymnasium's step with the torque
/// products in float32 as numpy 2 computes them (<c>np.float32(0.001) * (u * u)</c>, <c>np.float32(3.0) * u</c>).
/// </summary>
public class PendulumTests
{
    public static TheoryData<long, double, double> SeededStarts => new()
    {
        { 0, 0.8605556614246863, -0.4604265724722594 },
        { 1, 0.07427745862364432, 0.9009273926518706 },
        { 42, 1.721316619099806, -0.12224312049589536 },
    };

    [Fact]
    public void Spec_MatchesGymnasiumsRegistration()
    {
        var spec = PendulumEnv.Spec;

        Assert.Equal("Pendulum-v1", spec.Id);
        Assert.Equal(200, spec.MaxEpisodeSteps);
        Assert.Null(spec.RewardThreshold);
        Assert.Equal(["rgb_array"], spec.RenderModes);
        Assert.Equal(30, spec.RenderFps);
        Assert.Equal(new Dictionary<string, object?> { ["g"] = 10.0 }, spec.Kwargs);
        Assert.Same(spec, BuiltInEnvs.CreateRegistry().Get("Pendulum-v1"));
    }

    [Fact]
    public void Spaces_AreFloat32BoxesWithGymnasiumsBounds()
    {
        var env = new PendulumEnv();

        var observations = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal(DType.Float32, observations.DType);
        Assert.Equal([1f, 1f, 8f], observations.High.ToArray<float>());
        Assert.Equal([-1f, -1f, -8f], observations.Low.ToArray<float>());
        Assert.Equal(new Box(-2, 2, [1], DType.Float32), env.ActionSpace);
    }

    [Theory]
    [MemberData(nameof(SeededStarts))]
    public void Reset_WithSeed_StartsWhereNumpyDraws(long seed, double theta, double thetaDot)
    {
        var env = new PendulumEnv();

        var result = env.Reset(seed);

        Assert.Equal((theta, thetaDot), env.State);
        Assert.Equal([(float)Math.Cos(theta), (float)Math.Sin(theta), (float)thetaDot], Floats(result.Observation));
        Assert.Empty(result.Info);
    }

    [Fact]
    public void Reset_WithXInitAndYInit_DrawsFromThoseBounds()
    {
        // np.random.default_rng(5).uniform(low=-np.array([0.5, 2.0]), high=np.array([0.5, 2.0]))
        var env = new PendulumEnv();

        env.Reset(seed: 5, Options(("x_init", 0.5), ("y_init", 2L)));

        Assert.Equal((0.3050029237453802, 1.231763158945975), env.State);
    }

    [Theory]
    [InlineData("x_init", "text")]
    [InlineData("y_init", double.PositiveInfinity)]
    [InlineData("z_init", 1.0)]
    public void Reset_WithABadOption_ThrowsAndKeepsTheState(string key, object value)
    {
        var env = new PendulumEnv();
        env.Reset(seed: 0);

        var error = Assert.Throws<ArgumentException>(() => env.Reset(seed: 1, Options((key, value))));

        Assert.Contains(key, error.Message);
        Assert.Equal((0.8605556614246863, -0.4604265724722594), env.State);
    }

    [Fact]
    public void Step_FollowsGymnasiumsEquationsBitForBit()
    {
        // Start of seed 0, then the torques below (-3.0 is clipped to -2): reward, theta, theta_dot after each step.
        (float Torque, double Reward, double Theta, double ThetaDot)[] expected =
        [
            (1.7f, -0.7646453096265706, 0.8787170205127769, 0.36322718176181124),
            (-3.0f, -0.7893370008859052, 0.9107504093362275, 0.6406677764690138),
            (0.3f, -0.8706018280953209, 0.9746574511702171, 1.2781408366797908),
            (2.0f, -1.1173215471504658, 1.0845961034598248, 2.1987730457921533),
            (-0.77f, -1.660401898363089, 1.221914059313278, 2.746359117069065),
        ];
        var env = new PendulumEnv();
        env.Reset(seed: 0);

        foreach (var (torque, reward, theta, thetaDot) in expected)
        {
            var step = env.Step(NDArray.From([torque]));

            Assert.Equal(reward, step.Reward);
            Assert.Equal((theta, thetaDot), env.State);
            Assert.Equal([(float)Math.Cos(theta), (float)Math.Sin(theta), (float)thetaDot], Floats(step.Observation));
            Assert.False(step.Terminated);
            Assert.False(step.Truncated);
        }
    }

    [Fact]
    public void Step_ClipsTheAngularVelocityToEightAndTheTorqueToTwo()
    {
        var env = new PendulumEnv();
        env.Reset(seed: 3, Options(("x_init", 0.0), ("y_init", 0.0)));

        var speeds = new List<double>();
        for (int i = 0; i < 100; i++)
        {
            env.Step(NDArray.From([50f]));
            speeds.Add(env.State.ThetaDot);
            Assert.Equal(2f, env.LastTorque);
        }

        Assert.All(speeds, speed => Assert.InRange(speed, -8.0, 8.0));
        Assert.Contains(8.0, speeds);
    }

    [Fact]
    public void Step_UprightAndStillWithoutTorque_PaysZeroAndStays()
    {
        var env = new PendulumEnv();
        env.Reset(options: Options(("x_init", 0.0), ("y_init", 0.0)));

        var step = env.Step(NDArray.From([0f]));

        Assert.Equal(0.0, step.Reward);
        Assert.Equal((0.0, 0.0), env.State);
    }

    [Fact]
    public void Gravity_Kwarg_ChangesTheSwing()
    {
        var weak = PendulumEnv.Spec.Make(new Dictionary<string, object?> { ["g"] = 1.0 });
        var standard = PendulumEnv.Spec.Make();
        weak.Reset(seed: 0);
        standard.Reset(seed: 0);

        double weakSpeed = Floats(weak.Step(NDArray.From([0f])).Observation)[2];
        double standardSpeed = Floats(standard.Step(NDArray.From([0f])).Observation)[2];

        // theta_dot' = theta_dot + 3 g / 2 sin(theta) dt from the same start.
        Assert.Equal(-0.4604265724722594 + 1.5 * Math.Sin(0.8605556614246863) * 0.05, weakSpeed, 1e-6);
        Assert.Equal(-0.4604265724722594 + 15 * Math.Sin(0.8605556614246863) * 0.05, standardSpeed, 1e-6);
    }

    [Fact]
    public void Make_TruncatesAfter200StepsAndNeverTerminates()
    {
        var env = PendulumEnv.Spec.Make();
        env.Reset(seed: 0);

        for (int i = 1; i <= 200; i++)
        {
            var step = env.Step(NDArray.From([1f]));
            Assert.False(step.Terminated);
            Assert.Equal(i == 200, step.Truncated);
        }
    }

    [Theory]
    [InlineData(-7.0, -0.7168146928204138)]
    [InlineData(Math.PI, -Math.PI)]
    [InlineData(-Math.PI, -Math.PI)]
    [InlineData(10.0, -2.5663706143591725)]
    public void AngleNormalize_IsNumpysFlooredModulo(double angle, double expected)
    {
        Assert.Equal(expected, PendulumEnv.AngleNormalize(angle));
    }

    [Fact]
    public void Render_DrawsTheRodWhereTheAnglePointsIt()
    {
        var env = new PendulumEnv(renderMode: "rgb_array");
        env.Reset(options: Options(("x_init", 0.0), ("y_init", 0.0)));
        var upright = env.Render();
        env.Reset(options: Options(("x_init", 0.0), ("y_init", 0.0)));
        for (int i = 0; i < 3; i++) env.Step(NDArray.From([0f]));
        Assert.Equal((0.0, 0.0), env.State); // upright equilibrium

        Assert.Equal(DType.UInt8, upright.DType);
        Assert.Equal([500, 500, 3], upright.Shape);
        byte[] rod = [204, 77, 77], white = [255, 255, 255], black = [0, 0, 0];
        // Scale 500 / 4.4 pixels per metre: the 1 m rod reaches from row 249 up to about row 135.
        Assert.Equal(black, Pixel(upright, 249, 250));
        Assert.Equal(rod, Pixel(upright, 200, 250));
        Assert.Equal(rod, Pixel(upright, 140, 250));
        Assert.Equal(white, Pixel(upright, 300, 250));
        Assert.Equal(white, Pixel(upright, 10, 10));

        // Seed 42 starts at theta 1.72 rad: counter-clockwise past horizontal, so the rod points left and a little down.
        var env42 = new PendulumEnv(renderMode: "rgb_array");
        env42.Reset(seed: 42);
        var leaning = env42.Render();
        double angle = env42.State.Theta + Math.PI / 2;
        int row = 499 - (int)Math.Round(250 + 70 * Math.Sin(angle)), column = (int)Math.Round(250 + 70 * Math.Cos(angle));
        Assert.InRange(column, 170, 185);
        Assert.Equal(rod, Pixel(leaning, row, column));
        Assert.Equal(white, Pixel(leaning, 140, 250));
    }

    [Fact]
    public void Render_WithoutRenderMode_Throws()
    {
        var env = new PendulumEnv();
        env.Reset(seed: 0);

        Assert.Throws<InvalidOperationException>(() => env.Render());
        Assert.Throws<ArgumentException>(() => new PendulumEnv(renderMode: "human"));
    }

    private static byte[] Pixel(NDArray frame, int row, int column) => frame.Data.AsSpan((row * frame.Shape[1] + column) * 3, 3).ToArray();
}
