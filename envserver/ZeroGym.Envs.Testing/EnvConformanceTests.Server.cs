using ZeroGym.Arrays;

namespace ZeroGym.Envs.Testing;

// The checks through a real server and the C# client: dm_env_rpc's compliance tests, on SPEC.md §3.1 and §3.2.
public abstract partial class EnvConformanceTests
{
    /// <summary><c>make</c> reports the env's own spaces, and a seeded <c>reset</c> arrives as the env gives it in process.</summary>
    [ConformanceFact]
    public void Server_MakeAndReset_GiveTheEnvsSpacesAndObservation()
    {
        SkipIfOptedOut();
        using var local = MakeEnv();
        var expected = CanonicalValues.Copy(local.Reset(Seed).Observation);
        using var client = Connect();
        using var env = client.Make(Spec.Id, Kwargs);

        Assert.True(env.ObservationSpace.Equals(local.ObservationSpace), $"the server gave {Spec.Id}'s observation space as {env.ObservationSpace}; the env has {local.ObservationSpace}");
        Assert.True(env.ActionSpace.Equals(local.ActionSpace), $"the server gave {Spec.Id}'s action space as {env.ActionSpace}; the env has {local.ActionSpace}");
        var observation = env.Reset(Seed).Observation;
        Assert.True(CanonicalValues.Equal(expected, observation),
            $"reset(seed: {Seed}) gave other observations through the server and in process: {CanonicalValues.Contrast(observation, expected)}");
    }

    /// <summary><c>step</c> before the first <c>reset</c> is <c>reset_needed</c>, and the env then resets and steps normally.</summary>
    [ConformanceFact]
    public void Server_StepBeforeReset_IsResetNeeded()
    {
        SkipIfOptedOut();
        using var client = Connect();
        using var env = client.Make(Spec.Id, Kwargs);
        var action = SampleActions(env.ActionSpace, 1)[0];

        AssertError(ErrorCodes.ResetNeeded, () => env.Step(action), "step before the first reset");

        env.Reset(Seed);
        env.Step(action);
    }

    /// <summary><c>step</c> after the episode ended (here by its time limit) is <c>reset_needed</c> until the next <c>reset</c>.</summary>
    [ConformanceFact]
    public void Server_StepAfterTheEpisodeEnded_IsResetNeeded_UntilReset()
    {
        SkipIfOptedOut();
        using var client = Connect();
        using var env = client.Make(Spec.Id, MergeKwargs(TimeLimitKwargs));
        var actions = SampleActions(env.ActionSpace, TimeLimitSteps);
        env.Reset(Seed);
        bool ended = false;
        foreach (var action in actions)
        {
            var step = env.Step(action);
            ended = step.Terminated || step.Truncated;
            if (ended) break;
        }

        Assert.True(ended, $"{Spec.Id} with max_episode_steps {TimeLimitSteps} did not end within {TimeLimitSteps} steps through the server");

        AssertError(ErrorCodes.ResetNeeded, () => env.Step(actions[0]), "step after the episode ended");
        AssertError(ErrorCodes.ResetNeeded, () => env.Step(actions[0]), "a second step after the episode ended");
        env.Reset(Seed);
        env.Step(actions[0]);
    }

    /// <summary><c>render</c> before the first <c>reset</c> is <c>reset_needed</c>; after it, the frame is uint8 H×W×3.</summary>
    [ConformanceFact]
    public void Server_RenderBeforeReset_IsResetNeeded_AfterItAFrame()
    {
        SkipIfOptedOut();
        SkipUnlessRgbArray();
        using var client = Connect();
        using var env = client.Make(Spec.Id, Kwargs, RgbArray);

        AssertError(ErrorCodes.ResetNeeded, () => env.Render(), "render before the first reset");

        env.Reset(Seed);
        AssertFrame(env.Render(), "render through the server");
    }

    /// <summary><c>render</c> on an env made without a render mode is <c>not_rendering</c>, before and after <c>reset</c>.</summary>
    [ConformanceFact]
    public void Server_RenderWithoutRenderMode_IsNotRendering()
    {
        SkipIfOptedOut();
        using var client = Connect();
        using var env = client.Make(Spec.Id, Kwargs);
        env.Reset(Seed);

        AssertError(ErrorCodes.NotRendering, () => env.Render(), "render on an env made without render_mode");
    }

    /// <summary>After <c>close</c>, <c>step</c> and <c>render</c> on the handle are <c>unknown_handle</c>, and closing again is harmless.</summary>
    [ConformanceFact]
    public void Server_AfterClose_StepAndRenderAreUnknownHandle()
    {
        SkipIfOptedOut();
        using var client = Connect();
        var env = client.Make(Spec.Id, Kwargs);
        var action = SampleActions(env.ActionSpace, 1)[0];
        env.Reset(Seed);
        env.Dispose();

        AssertError(ErrorCodes.UnknownHandle, () => env.Step(action), "step after close");
        AssertError(ErrorCodes.UnknownHandle, () => env.Render(), "render after close");
        env.Dispose();
    }

    /// <summary>
    /// Each of <see cref="InvalidActions"/> is refused with <c>invalid_action</c>, and the next valid step gives exactly
    /// what it gives without the refused one: a rejected request changes no state (SPEC.md §3.2).
    /// </summary>
    [ConformanceFact]
    public void Server_InvalidActions_AreRefused_WithoutChangingState()
    {
        SkipIfOptedOut();
        using var client = Connect();
        using var env = client.Make(Spec.Id, Kwargs);
        var valid = SampleActions(env.ActionSpace, 1)[0];
        env.Reset(Seed);
        var expected = Copy(env.Step(valid));

        foreach (var invalid in InvalidActions(env.ActionSpace))
        {
            env.Reset(Seed);
            AssertError(ErrorCodes.InvalidAction, () => env.Step(invalid.Action!), $"step with {invalid.Description}");
            var actual = env.Step(valid);
            string what = $"after {invalid.Description} was refused, step with {CanonicalValues.Describe(valid)}";
            Assert.True(CanonicalValues.Equal(expected.Observation, actual.Observation),
                $"{what} gave another observation than without it (with, without): {CanonicalValues.Contrast(actual.Observation, expected.Observation)}");
            Assert.True(expected.Reward.Equals(actual.Reward) && expected.Terminated == actual.Terminated && expected.Truncated == actual.Truncated,
                $"{what} gave reward {actual.Reward}, terminated/truncated {actual.Terminated}/{actual.Truncated}; without it, " +
                $"{expected.Reward}, {expected.Terminated}/{expected.Truncated}");
            Assert.True(CanonicalValues.Equal(expected.Info, actual.Info),
                $"{what} gave the info {CanonicalValues.Describe(actual.Info)}; without it, {CanonicalValues.Describe(expected.Info)}");
        }
    }

    /// <summary>A connection of its own to this class's server.</summary>
    private ZeroGymClient Connect() =>
        new(ConformanceServer.For(GetType(), () => Spec).Address, new ClientOptions { Timeout = ServerTimeout, ClientName = "zerogym-conformance" });

    private void AssertError(string code, Action call, string what)
    {
        var error = Record.Exception(call);
        Assert.True(error is ZeroGymException, $"{what} on {Spec.Id} should fail with '{code}'; it " +
            (error is null ? "succeeded" : $"threw {error.GetType().Name}: {error.Message}"));
        var refused = (ZeroGymException)error!;
        Assert.True(refused.Code == code, $"{what} on {Spec.Id} should fail with '{code}'; it failed with '{refused.Code}': {refused.Message}");
    }

    private static StepResult Copy(StepResult step) =>
        step with { Observation = CanonicalValues.Copy(step.Observation)!, Info = Copy(step.Info) };
}
