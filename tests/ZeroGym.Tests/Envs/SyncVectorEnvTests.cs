using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Vector;
using ZeroGym.Spaces;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>SyncVectorEnv against Gymnasium 1.x's SyncVectorEnv with next-step autoreset.</summary>
public class SyncVectorEnvTests
{
    [Fact]
    public void Spaces_AreTheSingleSpacesBatched()
    {
        using var vector = CartPoles(3);

        Assert.Equal(3, vector.NumEnvs);
        Assert.Equal(new CartPoleEnv().ObservationSpace, vector.SingleObservationSpace);
        Assert.Equal(new Discrete(2), vector.SingleActionSpace);
        Assert.Equal(Batching.BatchSpace(vector.SingleObservationSpace, 3), vector.ObservationSpace);
        Assert.Equal([3, 4], Assert.IsType<Box>(vector.ObservationSpace).Shape);
        Assert.Equal(new MultiDiscrete(2, 2, 2), vector.ActionSpace);
    }

    [Fact]
    public void Constructor_WithDifferentSpaces_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new SyncVectorEnv([new CartPoleEnv(), new ScriptedEnv(1)]));

        Assert.Contains("env 1", error.Message);
    }

    [Fact]
    public void Constructor_WithNoEnvs_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SyncVectorEnv([]));
    }

    [Fact]
    public void Reset_WithSeeds_SeedsEachSubEnvLikeASingleEnv()
    {
        using var vector = CartPoles(3);

        var observations = Assert.IsType<NDArray>(vector.Reset([10, 11, 12]).Observations);

        Assert.Equal([3, 4], observations.Shape);
        for (int i = 0; i < 3; i++)
        {
            var single = Floats(new CartPoleEnv().Reset(seed: 10 + i).Observation);
            Assert.Equal(single, Row(observations, i));
        }
    }

    [Fact]
    public void Reset_WithoutSeeds_ContinuesEachGenerator()
    {
        using var vector = CartPoles(2);
        var singles = new[] { new CartPoleEnv(), new CartPoleEnv() };
        vector.Reset([4, null]);
        singles[0].Reset(seed: 4);
        var unseeded = Assert.IsType<NDArray>(vector.Reset([null, 8]).Observations);
        singles[0].Reset();
        singles[1].Reset(seed: 8);

        var next = Assert.IsType<NDArray>(vector.Reset().Observations);

        Assert.Equal(Floats(singles[0].Reset().Observation), Row(next, 0));
        Assert.Equal(Floats(singles[1].Reset().Observation), Row(next, 1));
        Assert.NotEqual(Row(unseeded, 0), Row(next, 0));
    }

    [Fact]
    public void Reset_PassesSeedsAndOptionsToEverySubEnv()
    {
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1) };
        using var vector = new SyncVectorEnv(envs);

        vector.Reset([7, null]);

        Assert.Equal([7L], envs[0].ResetSeeds);
        Assert.Equal([null], envs[1].ResetSeeds);
    }

    [Fact]
    public void Reset_WithOptions_AppliesThemToEverySubEnv()
    {
        using var vector = CartPoles(2);

        var observations = Assert.IsType<NDArray>(vector.Reset(options: Options(("state", new object?[] { 0.5, 0.0, 0.1, 0.0 }))).Observations);

        Assert.Equal([0.5f, 0f, 0.1f, 0f, 0.5f, 0f, 0.1f, 0f], observations.ToArray<float>());
    }

    [Fact]
    public void Reset_WithTheWrongNumberOfSeeds_Throws()
    {
        using var vector = CartPoles(3);

        Assert.Throws<ArgumentException>(() => vector.Reset([1, 2]));
    }

    [Fact]
    public void Reset_WithANegativeSeed_ThrowsBeforeResettingAnyone()
    {
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1) };
        using var vector = new SyncVectorEnv(envs);

        Assert.Throws<ArgumentException>(() => vector.Reset([1, -1]));

        Assert.Empty(envs[0].ResetSeeds);
    }

    [Fact]
    public void Step_BeforeReset_Throws()
    {
        using var vector = CartPoles(2);

        Assert.Throws<InvalidOperationException>(() => vector.Step(NDArray.From([0L, 1L])));
    }

    [Fact]
    public void Step_GivesEachSubEnvItsAction()
    {
        using var vector = new SyncVectorEnv([new ScriptedEnv(0), new ScriptedEnv(1), new ScriptedEnv(2)]);
        vector.Reset();

        var result = vector.Step(NDArray.From([2L, 0L, 1L]));

        Assert.Equal([0.0 + 2, 10.0 + 0, 20.0 + 1], result.Rewards);
        Assert.Equal([0f, 1f, 2f, 1f, 1f, 0f, 2f, 1f, 1f], Assert.IsType<NDArray>(result.Observations).ToArray<float>());
    }

    [Fact]
    public void Step_AfterASubEnvEnded_ResetsItOnTheNextStepIgnoringItsAction()
    {
        // Sub-env 1 ends on its 2nd step; sub-env 0 runs on.
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1, episodeLength: 2) };
        using var vector = new SyncVectorEnv(envs);
        vector.Reset();
        vector.Step(NDArray.From([1L, 1L]));

        var ending = vector.Step(NDArray.From([1L, 2L]));
        var restart = vector.Step(NDArray.From([1L, 2L]));
        var after = vector.Step(NDArray.From([1L, 2L]));

        Assert.Equal([false, true], ending.Terminated);
        Assert.Equal([1f, 2f, 2f], Row(ending.Observations, 1)); // the final observation, as usual
        Assert.Equal(12.0, ending.Rewards[1]);

        Assert.Equal([false, false], restart.Terminated);
        Assert.Equal([false, false], restart.Truncated);
        Assert.Equal([0.0 + 1, 0.0], restart.Rewards);
        Assert.Equal([1f, 0f, -1f], Row(restart.Observations, 1)); // the reset observation: no step, no action
        Assert.Equal([0f, 3f, 1f], Row(restart.Observations, 0));
        Assert.Equal(2, envs[1].ResetSeeds.Count);

        Assert.Equal([1f, 1f, 2f], Row(after.Observations, 1));
        Assert.Equal(12.0, after.Rewards[1]);
    }

    [Fact]
    public void SameStep_ResetsInTheEndingStep_WithTheFinalObservationAndInfoInTheInfo()
    {
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1, episodeLength: 2) { StepInfo = steps => new Dictionary<string, object?> { ["steps"] = (long)steps } } };
        using var vector = new SyncVectorEnv(envs, AutoresetMode.SameStep);
        vector.Reset();
        vector.Step(NDArray.From([1L, 1L]));

        var ending = vector.Step(NDArray.From([1L, 2L]));
        var after = vector.Step(NDArray.From([1L, 2L]));

        Assert.Equal([false, true], ending.Terminated);
        Assert.Equal(12.0, ending.Rewards[1]);
        Assert.Equal([1f, 0f, -1f], Row(ending.Observations, 1)); // already the reset observation
        Assert.Equal([1f, 2f, 2f], Row(ending.Info["final_obs"]!, 1));
        Assert.Equal([false, true], (bool[])((NDArray)ending.Info["_final_obs"]!).ToArray<bool>());
        var finalInfo = Assert.IsType<Dictionary<string, object?>>(ending.Info["final_info"]);
        Assert.Equal(2L, ((NDArray)finalInfo["steps"]!).ToArray<long>()[1]);
        // The step after the end is an ordinary step of the new episode: the action counts.
        Assert.Equal([1f, 1f, 2f], Row(after.Observations, 1));
        Assert.Equal([false, false], after.Terminated);
        Assert.False(after.Info.ContainsKey("final_obs"));
    }

    [Fact]
    public void Disabled_NeverResets_AndAResetMaskResetsOnlyTheMarkedSubEnvs()
    {
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1, episodeLength: 1) };
        using var vector = new SyncVectorEnv(envs, AutoresetMode.Disabled);
        vector.Reset([5, 6]);
        var ending = vector.Step(NDArray.From([1L, 2L]));

        Assert.True(vector.HasEnded(1));
        Assert.Contains("sub-env 1", Assert.Throws<InvalidOperationException>(() => vector.Step(NDArray.From([1L, 1L]))).Message);

        var reset = vector.Reset([7, 8], mask: [false, true]);

        Assert.Equal(Row(ending.Observations, 0), Row(reset.Observations, 0)); // kept: its last observation
        Assert.Equal([1f, 0f, -1f], Row(reset.Observations, 1));
        Assert.Equal([5L, 8L], envs.Select(env => env.ResetSeeds[^1]));
        Assert.False(vector.HasEnded(1));
        Assert.Equal([0f, 2f, 1f], Row(vector.Step(NDArray.From([1L, 0L])).Observations, 0));
    }

    [Theory]
    [InlineData(new[] { false, false })]
    [InlineData(new[] { true })]
    public void Reset_WithAMaskMarkingNoneOrOfTheWrongLength_Throws(bool[] mask)
    {
        using var vector = CartPoles(2);
        vector.Reset();

        Assert.Contains("reset_mask", Assert.Throws<ArgumentException>(() => vector.Reset(mask: mask)).Message);
    }

    [Fact]
    public void Step_OnTheAutoresetStep_IgnoresTheAction()
    {
        var results = new List<VectorStepResult>();
        foreach (long ignoredAction in new[] { 0L, 1L })
        {
            using var vector = CartPoles(2);
            vector.Reset([0, 1], Options(("state", new object?[] { 2.39, 1.0, 0.0, 0.0 })));
            vector.Step(NDArray.From([1L, 1L])); // both leave the track: x = 2.41
            results.Add(vector.Step(NDArray.From([ignoredAction, 1L - ignoredAction])));
        }

        Assert.Equal(((NDArray)results[0].Observations).Data, ((NDArray)results[1].Observations).Data);
        Assert.Equal([0.0, 0.0], results[0].Rewards);
    }

    [Fact]
    public void Step_OverManyEpisodes_MatchesSingleEnvsWithNextStepAutoreset()
    {
        const int n = 3;
        using var vector = CartPoles(n);
        var singles = Enumerable.Range(0, n).Select(_ => new CartPoleEnv()).ToArray();
        vector.Reset([100, 101, 102]);
        for (int i = 0; i < n; i++) singles[i].Reset(seed: 100 + i);
        var ended = new bool[n];
        var random = new Random(5);
        int autoresets = 0;

        for (int step = 0; step < 300; step++)
        {
            long[] actions = [.. Enumerable.Range(0, n).Select(_ => (long)random.Next(2))];
            var result = vector.Step(NDArray.From(actions));
            var observations = (NDArray)result.Observations;
            for (int i = 0; i < n; i++)
            {
                float[] expected;
                if (ended[i])
                {
                    expected = Floats(singles[i].Reset().Observation);
                    Assert.Equal((0.0, false, false), (result.Rewards[i], result.Terminated[i], result.Truncated[i]));
                    ended[i] = false;
                    autoresets++;
                }
                else
                {
                    var single = singles[i].Step(actions[i]);
                    expected = Floats(single.Observation);
                    Assert.Equal((single.Reward, single.Terminated, single.Truncated), (result.Rewards[i], result.Terminated[i], result.Truncated[i]));
                    ended[i] = single.Terminated || single.Truncated;
                }

                Assert.Equal(expected, Row(observations, i));
            }
        }

        Assert.True(autoresets >= 6, $"random actions should end several episodes in 300 steps; saw {autoresets} autoresets");
    }

    [Fact]
    public void Step_WhenTheTimeLimitTruncates_AutoresetsOnTheNextStep()
    {
        var limit = Options(("max_episode_steps", 3L));
        using var vector = new SyncVectorEnv([CartPoleEnv.Spec.Make(limit), CartPoleEnv.Spec.Make(limit)]);
        using var twin = CartPoleEnv.Spec.Make(limit);
        vector.Reset([20, 21]);
        twin.Reset(seed: 20);
        for (int step = 0; step < 2; step++) vector.Step(NDArray.From([0L, 1L]));

        var third = vector.Step(NDArray.From([1L, 0L]));
        var fourth = vector.Step(NDArray.From([1L, 0L]));

        Assert.Equal([true, true], third.Truncated);
        Assert.Equal([1.0, 1.0], third.Rewards);
        Assert.Equal([false, false], fourth.Truncated);
        Assert.Equal([0.0, 0.0], fourth.Rewards);
        Assert.Equal(Floats(twin.Reset().Observation), Row(fourth.Observations, 0));
    }

    [Fact]
    public void Step_CollectsInfosInGymnasiumsVectorLayout()
    {
        IReadOnlyDictionary<string, object?> InfoOf(int id) => new Dictionary<string, object?>
        {
            ["count"] = id % 2 == 0 ? 10L * id : null,
            ["flag"] = id == 1,
            ["name"] = $"env{id}",
            ["episode"] = new Dictionary<string, object?> { ["r"] = 1.5 * id, ["l"] = (long)id },
        }.Where(pair => pair.Value is not null && !(pair.Key == "episode" && id == 0))
         .ToDictionary();
        var envs = Enumerable.Range(0, 3).Select(id => new ScriptedEnv(id) { StepInfo = _ => InfoOf(id) }).ToArray();
        using var vector = new SyncVectorEnv(envs);
        vector.Reset();

        var info = vector.Step(NDArray.From([0L, 0L, 0L])).Info;

        Assert.Equal(["count", "_count", "flag", "_flag", "name", "_name", "episode", "_episode"], info.Keys);
        AssertArray(DType.Int64, [0L, 0, 20], info["count"]);
        AssertArray(DType.Bool, [true, false, true], info["_count"]);
        AssertArray(DType.Bool, [false, true, false], info["flag"]);
        AssertArray(DType.Bool, [true, true, true], info["_flag"]);
        Assert.Equal(new object?[] { "env0", "env1", "env2" }, info["name"]);
        AssertArray(DType.Bool, [false, true, true], info["_episode"]);
        var episode = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(info["episode"]);
        AssertArray(DType.Float64, [0.0, 1.5, 3.0], episode["r"]);
        AssertArray(DType.Bool, [false, true, true], episode["_r"]);
        AssertArray(DType.Int64, [0L, 1, 2], episode["l"]);
    }

    [Fact]
    public void Reset_CollectsResetInfos()
    {
        var envs = new[] { new ScriptedEnv(0) { ResetInfo = Options(("seeded", true)) }, new ScriptedEnv(1) };
        using var vector = new SyncVectorEnv(envs);

        var info = vector.Reset().Info;

        AssertArray(DType.Bool, [true, false], info["seeded"]);
        AssertArray(DType.Bool, [true, false], info["_seeded"]);
    }

    [Fact]
    public void Step_OnTheAutoresetStep_ReportsTheResetInfo()
    {
        var envs = new[]
        {
            new ScriptedEnv(0, episodeLength: 1) { ResetInfo = Options(("fresh", 1L)), StepInfo = _ => Options(("stepped", 1L)) },
        };
        using var vector = new SyncVectorEnv(envs);
        vector.Reset();
        vector.Step(NDArray.From([0L], [1]));

        var info = vector.Step(NDArray.From([0L], [1])).Info;

        Assert.Equal(["fresh", "_fresh"], info.Keys);
    }

    [Fact]
    public void Step_CountsCartPoleInfosAsEmpty()
    {
        using var vector = CartPoles(2);
        vector.Reset([1, 2]);

        Assert.Empty(vector.Step(NDArray.From([0L, 1L])).Info);
    }

    [Fact]
    public void Render_GivesOneFramePerSubEnv()
    {
        using var vector = new SyncVectorEnv([new CartPoleEnv(renderMode: "rgb_array"), new CartPoleEnv(renderMode: "rgb_array")]);
        vector.Reset([1, 2]);

        var frames = vector.Render();

        Assert.Equal(2, frames.Count);
        Assert.All(frames, frame => Assert.Equal([400, 600, 3], frame.Shape));
        Assert.NotEqual(frames[0].Data, frames[1].Data);
    }

    [Fact]
    public void Dispose_DisposesEverySubEnv()
    {
        var envs = new[] { new ScriptedEnv(0), new ScriptedEnv(1) };

        new SyncVectorEnv(envs).Dispose();

        Assert.All(envs, env => Assert.True(env.Disposed));
    }

    private static SyncVectorEnv CartPoles(int n) => new([.. Enumerable.Range(0, n).Select(_ => (Env)new CartPoleEnv())]);

    private static float[] Row(object observations, int index)
    {
        var array = (NDArray)observations;
        int width = array.Shape[1];
        return array.ToArray<float>()[(index * width)..((index + 1) * width)];
    }

    private static void AssertArray<T>(DType dtype, T[] expected, object? actual) where T : unmanaged
    {
        var array = Assert.IsType<NDArray>(actual);
        Assert.Equal(dtype, array.DType);
        Assert.Equal(expected, array.ToArray<T>());
    }

    [Fact]
    public void ExpensiveSubEnvs_AreSteppedOnSeveralCores_WithExactlyTheResultsOfOneAfterTheOther()
    {
        ScriptedEnv[] Envs(TimeSpan cost) => [.. Enumerable.Range(0, 6).Select(id => new ScriptedEnv(id, episodeLength: 4) { StepCost = cost, StepInfo = step => new Dictionary<string, object?> { ["step"] = (long)(id * 100 + step) } })];
        using var slow = new SyncVectorEnv(Envs(TimeSpan.FromMilliseconds(1)));
        using var fast = new SyncVectorEnv(Envs(TimeSpan.Zero));
        slow.Reset();
        fast.Reset();
        for (int t = 0; t < 12; t++)
        {
            var actions = NDArray.From(Enumerable.Range(0, 6).Select(i => (long)((i + t) % 3)).ToArray());
            var expected = fast.Step(actions);
            var got = slow.Step(actions);
            Assert.Equal(Floats(expected.Observations), Floats(got.Observations));
            Assert.Equal(expected.Rewards, got.Rewards);
            Assert.Equal(expected.Terminated, got.Terminated);
            Assert.Equal(expected.Truncated, got.Truncated);
            Assert.Equal(expected.Info.ContainsKey("step"), got.Info.ContainsKey("step")); // not after the autoreset step
            if (expected.Info.TryGetValue("step", out var steps))
            {
                Assert.Equal(((NDArray)steps!).ToArray<long>(), ((NDArray)got.Info["step"]!).ToArray<long>());
            }
        }

        Assert.Equal(Environment.ProcessorCount > 1, slow.SteppingInParallel);
        Assert.False(fast.SteppingInParallel);
    }

    [Fact]
    public void ASubEnvFailingWhileSteppedInParallel_ThrowsItsOwnException()
    {
        using var vector = new SyncVectorEnv([.. Enumerable.Range(0, 4).Select(id => new ScriptedEnv(id) { StepCost = TimeSpan.FromMilliseconds(1), FailAtStep = id == 2 ? 8 : null })]);
        vector.Reset();
        var actions = NDArray.From(new long[] { 0, 1, 2, 0 });
        for (int t = 0; t < 7; t++) vector.Step(actions);

        var error = Assert.Throws<InvalidOperationException>(() => vector.Step(actions));
        Assert.Equal("env 2 diverged at step 8", error.Message);
    }
}
