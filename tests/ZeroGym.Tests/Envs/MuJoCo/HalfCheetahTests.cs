using ZeroGym.Arrays;
using ZeroGym.Envs.Interop.MuJoCo;
using ZeroGym.Envs.MuJoCo;
using ZeroGym.Envs.MuJoCo.HalfCheetah;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs.MuJoCo;

/// <summary>HalfCheetah-v5 in-process: spaces, seeding, reset options, reward and info, time limit, kwargs.</summary>
public class HalfCheetahTests
{
    // np.random.default_rng(seed): qpos = zeros(9) + uniform(-0.1, 0.1, 9), then qvel = zeros(9) + 0.1 *
    // standard_normal(9), printed with repr by /usr/bin/python3 (numpy 1.24.2); they must match bit for bit.
    public static TheoryData<long, double[], double[]> NumpyStarts => new()
    {
        {
            0,
            [0.027392337464290872, -0.04604265724722594, -0.09180529521276107, -0.09669447289429418, 0.06265404784005449,
             0.08255111545554436, 0.021327155153435973, 0.045899312196799685, 0.008724998293084568],
            [-0.12654214710460526, -0.06232744625373522, 0.00413259793472436, -0.23250307746388343, -0.021879166393254573,
             -0.12459109472530652, -0.07322673547034517, -0.054425898285730995, -0.031630015636915455]
        },
        {
            42,
            [0.05479120971119267, -0.012224312049589542, 0.07171958398227649, 0.039473605811872786, -0.0811645304224701,
             0.09512447032735119, 0.052227940398070605, 0.05721286105539078, -0.07437727346489083],
            [-0.08530439275735802, 0.08793979748628286, 0.07777919354289484, 0.006603069756121605, 0.11272412069680329,
             0.046750934225204564, -0.08592924628832382, 0.036875078408249884, -0.0958882600828999]
        },
    };

    [Fact]
    public void Spaces_AreGymnasiums()
    {
        using var env = new HalfCheetahEnv();
        var observation = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal([17], observation.Shape);
        Assert.Equal(DType.Float64, observation.DType);
        Assert.All(observation.Low.ToArray<double>(), low => Assert.Equal(double.NegativeInfinity, low));
        Assert.All(observation.High.ToArray<double>(), high => Assert.Equal(double.PositiveInfinity, high));

        var action = Assert.IsType<Box>(env.ActionSpace);
        Assert.Equal([6], action.Shape);
        Assert.Equal(DType.Float32, action.DType);
        Assert.Equal(Enumerable.Repeat(-1f, 6), action.Low.ToArray<float>());
        Assert.Equal(Enumerable.Repeat(1f, 6), action.High.ToArray<float>());
        Assert.Equal(0.05, env.Dt, 15);
    }

    [Fact]
    public void Spec_HasGymnasiumsLimitThresholdAndKwargs()
    {
        var spec = BuiltInEnvs.CreateRegistry().Get("HalfCheetah-v5");
        Assert.Equal(1000, spec.MaxEpisodeSteps);
        Assert.Equal(4800.0, spec.RewardThreshold);
        Assert.Equal(["rgb_array"], spec.RenderModes);
        Assert.Equal(20, spec.RenderFps);
        Assert.Equal(1.0, spec.Kwargs["forward_reward_weight"]);
        Assert.Equal(0.1, spec.Kwargs["ctrl_cost_weight"]);
        Assert.Equal(0.1, spec.Kwargs["reset_noise_scale"]);
        Assert.Equal(true, spec.Kwargs["exclude_current_positions_from_observation"]);
    }

    [Theory]
    [MemberData(nameof(NumpyStarts))]
    public void Reset_WithSeed_StartsFromNumpysDraws(long seed, double[] qpos, double[] qvel)
    {
        using var env = new HalfCheetahEnv();
        var (observation, info) = env.Reset(seed);

        Assert.Equal([.. qpos.Skip(1), .. qvel], Observation(observation));
        Assert.Equal(qpos, env.State.Qpos);
        Assert.Equal(qvel, env.State.Qvel);
        Assert.Equal(qpos[0], info["x_position"]);
    }

    [Fact]
    public void SameSeed_GivesTheSameTrajectory_AndAnotherSeedDoesNot()
    {
        double[] Run(long seed)
        {
            using var env = new HalfCheetahEnv();
            var trajectory = new List<double>(Observation(env.Reset(seed).Observation));
            var actions = new Random(7);
            for (int i = 0; i < 50; i++)
            {
                var step = env.Step(env.ActionSpace.Sample(actions));
                trajectory.AddRange(Observation(step.Observation));
                trajectory.Add(step.Reward);
            }

            return [.. trajectory];
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void Reset_WithoutSeed_ContinuesTheGenerator()
    {
        using var env = new HalfCheetahEnv();
        var first = Observation(env.Reset(5).Observation);
        var second = Observation(env.Reset().Observation);
        Assert.NotEqual(first, second);

        using var replay = new HalfCheetahEnv();
        replay.Reset(5);
        Assert.Equal(second, Observation(replay.Reset().Observation));
    }

    [Fact]
    public void ResetOptions_QposAndQvel_StartExactlyThere()
    {
        using var env = new HalfCheetahEnv();
        double[] qpos = [0.5, 0.01, -0.02, 0.1, 0.2, -0.1, 0.3, -0.2, 0.05];
        double[] qvel = [1, 0, 0.5, -1, 2, 0, 0, 0.25, -0.5];
        var (observation, info) = env.Reset(seed: 1, options: Options(("qpos", qpos), ("qvel", NDArray.From(qvel))));

        Assert.Equal([.. qpos.Skip(1), .. qvel], Observation(observation));
        Assert.Equal(0.5, info["x_position"]);
    }

    [Fact]
    public void ResetOptions_OnlyQvel_DrawsQposAsWithoutOptions()
    {
        using var env = new HalfCheetahEnv();
        double[] qvel = [1, 0, 0.5, -1, 2, 0, 0, 0.25, -0.5];
        env.Reset(seed: 9, options: Options(("qvel", qvel)));
        var (drawnQpos, exactQvel) = env.State;

        using var plain = new HalfCheetahEnv();
        plain.Reset(seed: 9);
        Assert.Equal(plain.State.Qpos, drawnQpos);
        Assert.Equal(qvel, exactQvel);
    }

    [Theory]
    [InlineData("qpos", 8, "'qpos' must be 9 numbers")]
    [InlineData("qvel", 10, "'qvel' must be 9 numbers")]
    public void ResetOptions_OfWrongLength_AreRejectedBeforeAnythingChanges(string key, int length, string message)
    {
        using var env = new HalfCheetahEnv();
        env.Reset(seed: 2);
        var before = env.State;
        var error = Assert.Throws<ArgumentException>(() => env.Reset(options: Options((key, new double[length]))));
        Assert.Contains(message, error.Message);
        Assert.Equal(before.Qpos, env.State.Qpos);
        Assert.Equal(before.Qvel, env.State.Qvel);
        env.Step(Zeros());
    }

    [Fact]
    public void ResetOptions_UnknownOrNotFinite_AreRejected()
    {
        using var env = new HalfCheetahEnv();
        Assert.Contains("unknown option 'state'", Assert.Throws<ArgumentException>(() => env.Reset(options: Options(("state", new double[9])))).Message);
        double[] notFinite = [0, 0, 0, double.NaN, 0, 0, 0, 0, 0];
        Assert.Contains("element 3 is NaN", Assert.Throws<ArgumentException>(() => env.Reset(options: Options(("qpos", notFinite)))).Message);
        Assert.Contains("got 'fast'", Assert.Throws<ArgumentException>(() => env.Reset(options: Options(("qvel", "fast")))).Message);
    }

    [Fact]
    public void Step_RewardAndInfo_FollowGymnasiumsEquations()
    {
        using var env = new HalfCheetahEnv();
        env.Reset(seed: 11);
        var actions = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            double xBefore = env.State.Qpos[0];
            var action = (NDArray)env.ActionSpace.Sample(actions);
            var step = env.Step(action);
            double xAfter = env.State.Qpos[0];

            float squared = 0f;
            foreach (float torque in action.AsSpan<float>()) squared += torque * torque;
            double velocity = (xAfter - xBefore) / (0.01 * 5);
            Assert.Equal(xAfter, step.Info["x_position"]);
            Assert.Equal(velocity, step.Info["x_velocity"]);
            Assert.Equal(velocity, step.Info["reward_forward"]);
            Assert.Equal(-0.1 * squared, step.Info["reward_ctrl"]);
            Assert.Equal(velocity - 0.1 * squared, step.Reward);
            Assert.False(step.Terminated);
            Assert.False(step.Truncated);
        }
    }

    [Fact]
    public void Step_FullThrottle_MovesTheCheetah_AndCostsSixTenths()
    {
        using var env = new HalfCheetahEnv();
        env.Reset(seed: 0);
        var start = env.State.Qpos;
        var step = env.Step(NDArray.From(new float[] { 1, -1, 1, -1, 1, -1 }));
        Assert.Equal(-0.6, (double)step.Info["reward_ctrl"]!, 6);
        Assert.NotEqual(start, env.State.Qpos);
    }

    [Fact]
    public void Kwargs_ChangeWeightsNoiseAndObservation()
    {
        var spec = HalfCheetahEnv.Spec;
        using var env = spec.Make(new Dictionary<string, object?>
        {
            ["forward_reward_weight"] = 2.0,
            ["ctrl_cost_weight"] = 0.5,
            ["reset_noise_scale"] = 0.0,
            ["exclude_current_positions_from_observation"] = false,
        });
        Assert.Equal([18], ((Box)env.ObservationSpace).Shape);

        var (observation, _) = env.Reset(seed: 4);
        Assert.Equal(new double[18], Observation(observation)); // no noise: qpos0 (all zeros) and rest

        var step = env.Step(NDArray.From(new float[] { 0.5f, 0, 0, 0, 0, 0 }));
        double velocity = (double)step.Info["x_velocity"]!;
        Assert.Equal(2 * velocity, step.Info["reward_forward"]);
        Assert.Equal(-0.5 * 0.25, step.Info["reward_ctrl"]);
        Assert.Equal(step.Info["x_position"], Observation(step.Observation)[0]);
    }

    [Fact]
    public void Kwargs_NotFinite_AreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => HalfCheetahEnv.Spec.Make(new Dictionary<string, object?> { ["ctrl_cost_weight"] = double.NaN }));
        Assert.Contains("'ctrl_cost_weight' must be a finite number", error.Message);
    }

    [Fact]
    public void TimeLimit_TruncatesAfter1000Steps_AndNeverTerminates()
    {
        using var env = BuiltInEnvs.CreateRegistry().Get("HalfCheetah-v5").Make();
        env.Reset(seed: 0);
        var actions = new Random(1);
        for (int step = 1; step <= 1000; step++)
        {
            var result = env.Step(env.ActionSpace.Sample(actions));
            Assert.False(result.Terminated);
            Assert.Equal(step == 1000, result.Truncated);
        }
    }

    [Fact]
    public void Step_WhenTheSimulationDiverges_ThrowsMuJoCoException()
    {
        using var env = new HalfCheetahEnv();
        // MuJoCo calls anything above 1e10 a bad number and resets rather than integrate it.
        env.Reset(options: Options(("qvel", Enumerable.Repeat(1e11, 9).ToArray())));
        var error = Assert.Throws<MuJoCoException>(() => env.Step(Zeros()));
        Assert.Contains("the simulation diverged", error.Message);
        Assert.Throws<InvalidOperationException>(() => env.Step(Zeros()));

        env.Reset(seed: 0);
        env.Step(Zeros());
    }

    [Fact]
    public void Step_BeforeReset_Throws()
    {
        using var env = new HalfCheetahEnv();
        Assert.Throws<InvalidOperationException>(() => env.Step(Zeros()));
    }

    [Fact]
    public void VersionCheck_AcceptsTheInstalledLibrary_AndNamesBothVersionsOtherwise()
    {
        Assert.Null(MuJoCoLibrary.DescribeVersionMismatch(NativeMethods.LibraryVersion(), NativeMethods.HeaderVersion()));
        Assert.Equal(222, NativeMethods.HeaderVersion());

        string? message = MuJoCoLibrary.DescribeVersionMismatch(231, 222);
        Assert.NotNull(message);
        Assert.Contains("version 2.3.1 (mj_version() = 231)", message);
        Assert.Contains("headers of version 2.2.2 (mjVERSION_HEADER = 222)", message);
        Assert.Contains("scripts/setup", message);
    }

    [Fact]
    public void LoadingAMissingModel_ThrowsMuJoCosError()
    {
        var error = Assert.Throws<MuJoCoException>(() => MuJoCoSimulation.Load("/nonexistent/cheetah.xml"));
        Assert.Contains("could not load the model '/nonexistent/cheetah.xml'", error.Message);
        Assert.Contains("XML_ERROR_FILE_NOT_FOUND", error.Message);
    }

    [Fact]
    public void ShimFailures_SayWhatTheShimWasDoing_AndNeverRepeatAnEarlierFailure()
    {
        var load = Assert.Throws<MuJoCoException>(() => MuJoCoSimulation.Load("/nonexistent/cheetah.xml"));
        Assert.StartsWith("loading a MuJoCo model: MuJoCo could not load the model '/nonexistent/cheetah.xml'", load.Message);

        using var env = new HalfCheetahEnv();
        env.Reset(options: Options(("qvel", Enumerable.Repeat(1e11, 9).ToArray())));
        var step = Assert.Throws<MuJoCoException>(() => env.Step(Zeros()));
        Assert.StartsWith("stepping the simulation: the simulation diverged: MuJoCo found a bad number in", step.Message);
        Assert.DoesNotContain("could not load", step.Message);
    }

    internal static double[] Observation(object observation) => ((NDArray)observation).ToArray<double>();

    internal static NDArray Zeros() => NDArray.From(new float[6]);

    private static IReadOnlyDictionary<string, object?> Options(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(entry => entry.Key, entry => entry.Value);
}
