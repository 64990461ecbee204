using ZeroGym.Arrays;
using ZeroGym.Envs.Acrobot;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs.ClassicControl;

/// <summary>
/// Acrobot-v1's spec, spaces, reset options, kwargs and frames. Its dynamics are checked bit for bit against Gymnasium's
/// recorded trajectories (<see cref="GymnasiumTrajectoryTests"/>); expected values here were printed by Gymnasium 1.2.2.
/// </summary>
public class AcrobotTests
{
    [Fact]
    public void Spec_MatchesGymnasiumsRegistration()
    {
        var spec = AcrobotEnv.Spec;

        Assert.Equal("Acrobot-v1", spec.Id);
        Assert.Equal(500, spec.MaxEpisodeSteps);
        Assert.Equal(-100.0, spec.RewardThreshold);
        Assert.Equal(["rgb_array"], spec.RenderModes);
        Assert.Equal(15, spec.RenderFps);
        Assert.Equal(new Dictionary<string, object?> { ["book_or_nips"] = "book", ["torque_noise_max"] = 0.0 }, spec.Kwargs);
        Assert.Same(spec, BuiltInEnvs.CreateRegistry().Get("Acrobot-v1"));
    }

    [Fact]
    public void Spaces_AreGymnasiums()
    {
        var env = new AcrobotEnv();

        var observations = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal(DType.Float32, observations.DType);
        float[] high = [1f, 1f, 1f, 1f, (float)(4 * Math.PI), (float)(9 * Math.PI)];
        Assert.Equal(high, observations.High.ToArray<float>());
        Assert.Equal(high.Select(value => -value), observations.Low.ToArray<float>());
        Assert.Equal(new Discrete(3), env.ActionSpace);
    }

    [Fact]
    public void Reset_WithLowAndHigh_MatchesGymnasiumsDocumentedExample()
    {
        // Gymnasium's Acrobot docstring: env.reset(seed=123, options={"low": -0.2, "high": 0.2})
        var env = new AcrobotEnv();

        var result = env.Reset(seed: 123, Options(("low", -0.2), ("high", 0.2)));

        Assert.Equal([0.07294074445962906, -0.17847159504890442, -0.11185605078935623, -0.12625128030776978], env.State);
        Assert.Equal(
            [0.997340977191925f, 0.07287608087062836f, 0.9841161966323853f, -0.17752565443515778f, -0.11185605078935623f, -0.12625128030776978f],
            Floats(result.Observation));
        Assert.Empty(result.Info);
    }

    [Theory]
    [InlineData("low", 0.5, "'low' (0.5) must not exceed 'high' (0.1)")]
    [InlineData("high", "x", "reset option 'high' must be a number")]
    [InlineData("state", 1.0, "reset options are 'low' and 'high'; got unknown option 'state'")]
    public void Reset_WithABadOption_ThrowsAndKeepsTheState(string key, object value, string message)
    {
        var env = new AcrobotEnv();
        env.Reset(seed: 0);
        var before = env.State.ToArray();

        var error = Assert.Throws<ArgumentException>(() => env.Reset(seed: 1, Options((key, value))));

        Assert.Contains(message, error.Message);
        Assert.StartsWith("Acrobot-v1", error.Message);
        Assert.Equal(before, env.State);
    }

    [Fact]
    public void Step_ReachingTheLine_PaysZeroAndTerminates()
    {
        // Pumping energy with the second link's swing from seed 0: Gymnasium's episode ends at step 122.
        var env = AcrobotEnv.Spec.Make();
        var observation = env.Reset(seed: 0).Observation;
        var rewards = new List<double>();
        bool terminated = false;
        while (!terminated && rewards.Count < 500)
        {
            var step = env.Step(Floats(observation)[5] > 0 ? 2L : 0L);
            (observation, terminated) = (step.Observation, step.Terminated);
            rewards.Add(step.Reward);
        }

        Assert.Equal(122, rewards.Count);
        Assert.Equal(0.0, rewards[^1]);
        Assert.All(rewards[..^1], reward => Assert.Equal(-1.0, reward));
    }

    [Fact]
    public void Wrap_AndBound_AreGymnasiums()
    {
        Assert.Equal(4.0 - 2 * Math.PI, AcrobotEnv.Wrap(4.0, -Math.PI, Math.PI));
        Assert.Equal(-4.0 + 2 * Math.PI, AcrobotEnv.Wrap(-4.0, -Math.PI, Math.PI));
        Assert.Equal(Math.PI, AcrobotEnv.Wrap(Math.PI, -Math.PI, Math.PI));
        Assert.Equal(12.0, AcrobotEnv.Bound(20.0, -12.0, 12.0));
        Assert.Equal(-12.0, AcrobotEnv.Bound(-20.0, -12.0, 12.0));
        Assert.Equal(3.5, AcrobotEnv.Bound(3.5, -12.0, 12.0));
    }

    [Fact]
    public void Kwargs_NipsAndTorqueNoise_ChangeTheSwingAndAreChecked()
    {
        var book = AcrobotEnv.Spec.Make();
        var nips = AcrobotEnv.Spec.Make(new Dictionary<string, object?> { ["book_or_nips"] = "nips" });
        var noisy = AcrobotEnv.Spec.Make(new Dictionary<string, object?> { ["torque_noise_max"] = 0.5 });
        foreach (var env in new[] { book, nips, noisy }) env.Reset(seed: 3);

        var fromBook = Floats(book.Step(2L).Observation);
        Assert.NotEqual(fromBook, Floats(nips.Step(2L).Observation));
        Assert.NotEqual(fromBook, Floats(noisy.Step(2L).Observation));
        Assert.Throws<ArgumentException>(() => AcrobotEnv.Spec.Make(new Dictionary<string, object?> { ["book_or_nips"] = "paper" }));
        Assert.Throws<ArgumentException>(() => AcrobotEnv.Spec.Make(new Dictionary<string, object?> { ["torque_noise_max"] = -1.0 }));
    }

    [Fact]
    public void Render_DrawsTheLinksTheJointsAndTheLine()
    {
        var env = new AcrobotEnv(renderMode: "rgb_array");
        env.Reset(options: Options(("low", 0.0), ("high", 0.0))); // hanging straight down

        var frame = env.Render();

        Assert.Equal(DType.UInt8, frame.DType);
        Assert.Equal([500, 500, 3], frame.Shape);
        byte[] link = [0, 204, 204], joint = [204, 204, 0], white = [255, 255, 255], black = [0, 0, 0];
        // 500 / 4.4 pixels per metre: the pivot at the centre, the middle joint 113.6 pixels below it, the line 113.6 above
        // (row 135.4 once flipped).
        Assert.Equal(joint, Pixel(frame, 249, 250));
        Assert.Equal(link, Pixel(frame, 300, 250));
        Assert.Equal(joint, Pixel(frame, 363, 250));
        Assert.Equal(link, Pixel(frame, 420, 250));
        Assert.Equal(white, Pixel(frame, 420, 280));
        Assert.Equal(black, Pixel(frame, 135, 10));
        Assert.Equal(white, Pixel(frame, 200, 250));

        env.Reset(options: Options(("low", Math.PI), ("high", Math.PI))); // the first link straight up, the second folded back
        Assert.Equal(link, Pixel(env.Render(), 200, 250));
        Assert.Throws<InvalidOperationException>(() => new AcrobotEnv().Render());
    }

    private static byte[] Pixel(NDArray frame, int row, int column) => frame.Data.AsSpan((row * frame.Shape[1] + column) * 3, 3).ToArray();
}
