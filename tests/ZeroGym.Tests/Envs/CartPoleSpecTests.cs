using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>CartPole-v1's registration, spaces, kwargs and time limit, as Gymnasium defines them.</summary>
public class CartPoleSpecTests
{
    [Fact]
    public void Spec_MatchesGymnasiumsRegistration()
    {
        var spec = CartPoleEnv.Spec;

        Assert.Equal("CartPole-v1", spec.Id);
        Assert.Equal(500, spec.MaxEpisodeSteps);
        Assert.Equal(475.0, spec.RewardThreshold);
        Assert.Equal(["rgb_array"], spec.RenderModes);
        Assert.Equal(50, spec.RenderFps);
        Assert.False(spec.Nondeterministic);
        Assert.Equal(new Dictionary<string, object?> { ["sutton_barto_reward"] = false }, spec.Kwargs);
        Assert.Contains("pole", spec.Description);
    }

    [Fact]
    public void DefaultRegistry_OffersCartPole()
    {
        Assert.Same(CartPoleEnv.Spec, BuiltInEnvs.CreateRegistry().Get("CartPole-v1"));
    }

    [Fact]
    public void ObservationSpace_IsTwiceTheThresholdsInFloat32()
    {
        var box = Assert.IsType<Box>(new CartPoleEnv().ObservationSpace);

        // np.array([2.4 * 2, np.inf, 12 * 2 * math.pi / 360 * 2, np.inf], dtype=np.float32) gives 4.8 and 0.41887903.
        float[] high = [4.8f, float.PositiveInfinity, 0.41887903f, float.PositiveInfinity];
        Assert.Equal(DType.Float32, box.DType);
        Assert.Equal([4], box.Shape);
        Assert.Equal(high, box.High.ToArray<float>());
        Assert.Equal(high.Select(value => -value).ToArray(), box.Low.ToArray<float>());
        Assert.Equal((float)(2 * (12 * 2 * Math.PI / 360)), high[2]);
    }

    [Fact]
    public void ActionSpace_IsDiscreteTwo()
    {
        Assert.Equal(new Discrete(2), new CartPoleEnv().ActionSpace);
    }

    [Fact]
    public void Observations_LieInTheObservationSpace()
    {
        var env = new CartPoleEnv();
        var observation = env.Reset(seed: 11).Observation;
        bool terminated = false;
        while (!terminated)
        {
            Assert.True(env.ObservationSpace.Contains(observation), $"{observation} is outside {env.ObservationSpace}");
            (observation, _, terminated, _, _) = env.Step(1L);
        }

        // The terminating observation too: the bounds are twice the thresholds for that reason.
        Assert.True(env.ObservationSpace.Contains(observation));
    }

    [Fact]
    public void Make_WithUnknownKwarg_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CartPoleEnv.Spec.Make(Options(("gravity", 9.81))));

        Assert.Contains("unknown kwarg 'gravity'", error.Message);
        Assert.Contains("sutton_barto_reward", error.Message);
    }

    [Fact]
    public void Make_WithKwargOfWrongType_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CartPoleEnv.Spec.Make(Options(("sutton_barto_reward", 1L))));

        Assert.Contains("must be a bool", error.Message);
    }

    [Fact]
    public void Make_WithSuttonBartoReward_PaysZeroPerStep()
    {
        using var env = CartPoleEnv.Spec.Make(Options(("sutton_barto_reward", true)));
        env.Reset(seed: 0);

        Assert.Equal(0.0, env.Step(1L).Reward);
    }

    [Fact]
    public void Make_WithUnknownRenderMode_Throws()
    {
        Assert.Throws<ArgumentException>(() => CartPoleEnv.Spec.Make(renderMode: "human"));
        Assert.Throws<ArgumentException>(() => new CartPoleEnv(renderMode: "human"));
    }

    [Fact]
    public void Make_KeepingThePoleUp_TruncatesAtStep500()
    {
        using var env = CartPoleEnv.Spec.Make();
        var observation = env.Reset(seed: 2024).Observation;
        double episodeReturn = 0;
        for (int step = 1; step <= 500; step++)
        {
            var result = env.Step(Balance(observation));
            episodeReturn += result.Reward;
            Assert.False(result.Terminated, $"the balancing policy let the pole fall at step {step}");
            Assert.Equal(step == 500, result.Truncated);
            observation = result.Observation;
        }

        Assert.Equal(500.0, episodeReturn);
    }

    [Fact]
    public void Make_WithMaxEpisodeSteps_TruncatesThere()
    {
        using var env = CartPoleEnv.Spec.Make(Options(("max_episode_steps", 10L)));
        var observation = env.Reset(seed: 1).Observation;
        var truncatedAt = new List<int>();
        for (int step = 1; step <= 10; step++)
        {
            var result = env.Step(Balance(observation));
            if (result.Truncated) truncatedAt.Add(step);
            observation = result.Observation;
        }

        Assert.Equal([10], truncatedAt);
    }
}
