using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.Testing;

// The checks on the env itself, made in this process: Gymnasium's check_env.
public abstract partial class EnvConformanceTests
{
    /// <summary>The first observation lies in the observation space, dtype and shape exact.</summary>
    [ConformanceFact]
    public void Reset_ObservationLiesInTheObservationSpace()
    {
        SkipIfOptedOut();
        using var env = MakeEnv();

        var (observation, info) = env.Reset(Seed);

        AssertInSpace(env, observation, $"the observation of reset(seed: {Seed})");
        Assert.True(info is not null, $"reset(seed: {Seed}) of {Spec.Id} returned a null info; an env without info returns an empty map");
    }

    /// <summary>Sampled actions lie in the action space, and every step gives an observation in the observation space,
    /// a finite reward and an info map.</summary>
    [ConformanceFact]
    public void Step_SampledActions_GiveObservationsInTheSpace_FiniteRewards_AndInfos()
    {
        SkipIfOptedOut();
        using var env = MakeEnv();
        var actions = SampleActions(env.ActionSpace, TrajectoryLength);
        env.Reset(Seed);

        for (int i = 0; i < actions.Count; i++)
        {
            Assert.True(env.ActionSpace.Contains(actions[i]),
                $"sample action {i}, {CanonicalValues.Describe(actions[i])}, is not in the action space: {CanonicalValues.WhyNotIn(env.ActionSpace, actions[i])}");
            var step = env.Step(actions[i]);
            AssertInSpace(env, step.Observation, $"the observation of step {i + 1} (action {CanonicalValues.Describe(actions[i])})");
            Assert.True(double.IsFinite(step.Reward), $"step {i + 1} of {Spec.Id} gave the reward {step.Reward}; rewards are finite");
            Assert.True(step.Info is not null, $"step {i + 1} of {Spec.Id} returned a null info; an env without info returns an empty map");
            if (step.Terminated || step.Truncated) env.Reset();
        }
    }

    /// <summary>Resetting with the same seed, on the same env and on a second one, gives the same observation and info.</summary>
    [ConformanceFact]
    public void Reset_WithTheSameSeed_GivesTheSameObservationAndInfo()
    {
        SkipIfOptedOut();
        using var env = MakeEnv();
        using var other = MakeEnv();

        var first = Copy(env.Reset(Seed));
        env.Step(SampleActions(env.ActionSpace, 1)[0]);
        var again = Copy(env.Reset(Seed));
        var elsewhere = Copy(other.Reset(Seed));

        AssertSameReset(first, again, $"reset(seed: {Seed}) twice on one env");
        AssertSameReset(first, elsewhere, $"reset(seed: {Seed}) on two envs");
    }

    /// <summary>After a reset with the same seed, the same actions give the same observations, rewards, flags and infos.</summary>
    [ConformanceFact]
    public void Step_AfterResetsWithTheSameSeed_FollowsTheSameTrajectory()
    {
        SkipIfOptedOut();
        using var env = MakeEnv();
        using var other = MakeEnv();
        var actions = SampleActions(env.ActionSpace, TrajectoryLength);

        var first = Trajectory(env, actions);
        var again = Trajectory(env, actions);
        var elsewhere = Trajectory(other, actions);

        AssertSameTrajectory(first, again, actions, $"two episodes of one env after reset(seed: {Seed})");
        AssertSameTrajectory(first, elsewhere, actions, $"episodes of two envs after reset(seed: {Seed})");
    }

    /// <summary>Different seeds give different first observations (opt out when the start does not depend on the seed).</summary>
    [ConformanceFact]
    public void Reset_WithDifferentSeeds_GivesDifferentObservations()
    {
        SkipIfOptedOut();
        using var env = MakeEnv();
        var seeds = Enumerable.Range(0, 5).Select(i => Seed + i).ToList();

        var observations = seeds.Select(seed => CanonicalValues.Copy(env.Reset(seed).Observation)).ToList();

        Assert.False(observations.All(observation => CanonicalValues.Equal(observation, observations[0])),
            $"reset of {Spec.Id} with the seeds {string.Join(", ", seeds)} gave the same observation every time, " +
            $"{CanonicalValues.Describe(observations[0])}: its start does not depend on the seed. If that is by design, opt out of " +
            $"{nameof(Reset_WithDifferentSeeds_GivesDifferentObservations)} with the reason");
    }

    /// <summary>With <c>max_episode_steps</c> = <see cref="TimeLimitSteps"/>, the step that reaches it is truncated and none before.</summary>
    [ConformanceFact]
    public void Step_AtTheTimeLimit_IsTruncated()
    {
        SkipIfOptedOut();
        using var env = MakeEnv(TimeLimitKwargs);
        var actions = SampleActions(env.ActionSpace, TimeLimitSteps);
        env.Reset(Seed);

        for (int i = 1; i <= TimeLimitSteps; i++)
        {
            var step = env.Step(actions[i - 1]);
            if (i < TimeLimitSteps)
            {
                Assert.False(step.Truncated, $"{Spec.Id} with max_episode_steps {TimeLimitSteps} truncated at step {i}");
                Assert.False(step.Terminated,
                    $"{Spec.Id} terminated at step {i} under the actions {Actions(actions)}, before its time limit of {TimeLimitSteps}: " +
                    $"lower {nameof(TimeLimitSteps)} or choose {nameof(SampleActions)} that keep the episode going");
            }
            else
            {
                Assert.True(step.Truncated, $"{Spec.Id} with max_episode_steps {TimeLimitSteps} did not truncate step {i}, the one that reaches the limit");
            }
        }
    }

    /// <summary>With render mode <c>rgb_array</c>, <c>render</c> after reset and after a step gives a uint8 H×W×3 frame.</summary>
    [ConformanceFact]
    public void Render_RgbArray_GivesAUInt8FrameOfHeightWidthAnd3Channels()
    {
        SkipIfOptedOut();
        SkipUnlessRgbArray();
        using var env = MakeEnv(renderMode: RgbArray);
        Assert.Equal(RgbArray, env.RenderMode);
        env.Reset(Seed);

        var afterReset = env.Render();
        AssertFrame(afterReset, "render after reset");
        env.Step(SampleActions(env.ActionSpace, 1)[0]);
        var afterStep = env.Render();
        AssertFrame(afterStep, "render after a step");
        Assert.True(afterStep.ShapeEquals(afterReset.Shape),
            $"{Spec.Id}'s frames change shape: {NDArray.FormatShape(afterReset.Shape)} after reset, {NDArray.FormatShape(afterStep.Shape)} after a step");
    }

    /// <summary>Disposing an env twice, after an episode or before any, throws nothing.</summary>
    [ConformanceFact]
    public void Dispose_Twice_IsHarmless()
    {
        SkipIfOptedOut();
        var used = MakeEnv();
        used.Reset(Seed);
        used.Step(SampleActions(used.ActionSpace, 1)[0]);
        used.Dispose();
        used.Dispose();

        var unused = MakeEnv();
        unused.Dispose();
        unused.Dispose();
    }

    private void SkipUnlessRgbArray()
    {
        if (!Spec.RenderModes.Contains(RgbArray))
        {
            throw new CheckSkippedException($"{Spec.Id} has no rgb_array render mode (its render modes: [{string.Join(", ", Spec.RenderModes)}])");
        }
    }

    private void AssertInSpace(Env env, object? observation, string what) =>
        Assert.True(env.ObservationSpace.Contains(observation),
            $"{what} of {Spec.Id} is not in its observation space: {CanonicalValues.WhyNotIn(env.ObservationSpace, observation)}");

    private void AssertFrame(NDArray frame, string what)
    {
        bool shaped = frame.Rank == 3 && frame.Shape[0] > 0 && frame.Shape[1] > 0 && frame.Shape[2] == 3;
        Assert.True(frame.DType == DType.UInt8 && shaped,
            $"{what} of {Spec.Id} gave a frame {frame}; an rgb_array frame is uint8 of shape (height, width, 3)");
    }

    private void AssertSameReset(ResetResult expected, ResetResult actual, string what)
    {
        Assert.True(CanonicalValues.Equal(expected.Observation, actual.Observation),
            $"{what} gave different observations: {CanonicalValues.Contrast(expected.Observation, actual.Observation)}");
        Assert.True(CanonicalValues.Equal(expected.Info, actual.Info),
            $"{what} gave different infos: {CanonicalValues.Contrast(expected.Info, actual.Info)}");
    }

    private void AssertSameTrajectory(IReadOnlyList<StepResult> expected, IReadOnlyList<StepResult> actual, IReadOnlyList<object> actions, string what)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var (a, b) = (expected[i], actual[i]);
            string step = i == 0 ? "the reset" : $"step {i} (action {CanonicalValues.Describe(actions[i - 1])})";
            Assert.True(CanonicalValues.Equal(a.Observation, b.Observation),
                $"{what}: {step} gave different observations, {CanonicalValues.Contrast(a.Observation, b.Observation)}");
            Assert.True(a.Reward.Equals(b.Reward), $"{what}: {step} gave different rewards, {a.Reward} and {b.Reward}");
            Assert.True(a.Terminated == b.Terminated && a.Truncated == b.Truncated,
                $"{what}: {step} gave different flags, terminated/truncated {a.Terminated}/{a.Truncated} and {b.Terminated}/{b.Truncated}");
            Assert.True(CanonicalValues.Equal(a.Info, b.Info),
                $"{what}: {step} gave different infos, {CanonicalValues.Contrast(a.Info, b.Info)}");
        }

        Assert.True(expected.Count == actual.Count, $"{what}: one episode lasted {expected.Count - 1} steps, the other {actual.Count - 1}");
    }

    /// <summary>The reset (as a step with reward 0) and the steps of one episode under <paramref name="actions"/>, copied.</summary>
    private List<StepResult> Trajectory(Env env, IReadOnlyList<object> actions)
    {
        var (observation, info) = Copy(env.Reset(Seed));
        var steps = new List<StepResult> { new(observation, 0, false, false, info) };
        foreach (var action in actions)
        {
            var step = env.Step(action);
            steps.Add(step with { Observation = CanonicalValues.Copy(step.Observation)!, Info = Copy(step.Info) });
            if (step.Terminated || step.Truncated) break;
        }

        return steps;
    }

    private static ResetResult Copy(ResetResult reset) => new(CanonicalValues.Copy(reset.Observation)!, Copy(reset.Info));

    private static IReadOnlyDictionary<string, object?> Copy(IReadOnlyDictionary<string, object?> info) =>
        (IReadOnlyDictionary<string, object?>)CanonicalValues.Copy(info)!;
}
