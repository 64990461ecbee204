using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Wrappers;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs.Nes;

/// <summary>The Mario env's logic, played on tests/roms/mario_like.s (the real game is never used in CI).</summary>
public sealed class SuperMarioBrosEnvTests
{
    // Where mario_like.s puts things: Mario starts at x_pos 40, the goomba is at 150, the flag at 300.
    private const int StartX = 40, GoombaX = 150, FlagX = 300;

    private static SuperMarioBrosEnv Make((int, int)? target = null, object? actions = null, string? renderMode = null) =>
        new(new NesConsole(TestRoms.Rom(TestRoms.MarioLike)), target,
            actions is null ? null : SuperMarioBrosEnv.ParseActionsKwarg("test", actions), renderMode);

    private static long Long(StepResult step, string key) => (long)step.Info[key]!;

    private static List<StepResult> Hold(Env env, long action, Func<StepResult, bool> until, int limit = 5000)
    {
        var steps = new List<StepResult>();
        for (int i = 0; i < limit; i++)
        {
            var step = env.Step(action);
            steps.Add(step);
            if (until(step)) return steps;
        }

        throw new Xunit.Sdk.XunitException($"the condition did not come within {limit} steps");
    }

    [Fact]
    public void Reset_AfterTheStartScreen_IsTheLevelStart()
    {
        using var env = Make((1, 1));
        var (observation, info) = env.Reset();

        Assert.Equal(400L, info["time"]);
        Assert.Equal((long)StartX, info["x_pos"]);
        Assert.Equal(2L, info["life"]);
        Assert.Equal(1L, info["world"]);
        Assert.Equal(1L, info["stage"]);
        Assert.Equal(79L, info["y_pos"]);
        Assert.Equal("small", info["status"]);
        Assert.Equal(false, info["flag_get"]);
        Assert.Equal(0L, info["coins"]);
        Assert.Equal(0L, info["score"]);
        // Sky blue in nes-py's palette, as gym-super-mario-bros users see it.
        var data = ((NDArray)observation).Data;
        Assert.Equal(NesPalette.NesPy(0x22), (data[0], data[1], data[2]));
    }

    [Fact]
    public void Reset_RestoresTheSnapshot_FrameIncluded()
    {
        using var env = Make();
        var first = env.Reset();
        Hold(env, NesButtons.Right, step => Long(step, "x_pos") > 100);
        var second = env.Reset();

        Assert.Equal(((NDArray)first.Observation).Data, ((NDArray)second.Observation).Data);
        Assert.Equal(first.Info, second.Info);
        Assert.Equal(StartX, Long(env.Step(0L), "x_pos"));
    }

    [Fact]
    public void Step_HoldingRight_PaysTheProgressAndTheClock()
    {
        using var env = Make((1, 1));
        var (_, info) = env.Reset();
        long x = (long)info["x_pos"]!, time = (long)info["time"]!;
        var steps = Hold(env, NesButtons.Right, step => Long(step, "x_pos") >= 120);

        // The game reads each step's buttons one frame later, as on nes-py.
        Assert.Equal(x, Long(steps[0], "x_pos"));
        Assert.Equal(x + 1, Long(steps[1], "x_pos"));
        foreach (var step in steps)
        {
            long dx = Long(step, "x_pos") - x, dt = Long(step, "time") - time;
            Assert.Equal(dx + dt, step.Reward);
            Assert.False(step.Terminated);
            (x, time) = (Long(step, "x_pos"), Long(step, "time"));
        }

        Assert.Contains(steps, step => step.Reward == 0.0); // a clock tick (-1) while moving (+1)
    }

    [Fact]
    public void Step_MovingLeft_PaysTheNegativeProgress()
    {
        using var env = Make();
        env.Reset();
        Hold(env, NesButtons.Right, step => Long(step, "x_pos") >= 60);
        env.Step((long)NesButtons.Left);
        var step = env.Step((long)NesButtons.Left);

        Assert.InRange(step.Reward, -2.0, -1.0);
    }

    [Fact]
    public void Stage_WalkingIntoTheGoomba_EndsWithTheClippedDeathPenalty()
    {
        using var env = Make((1, 1));
        env.Reset();
        var steps = Hold(env, NesButtons.Right, step => step.Terminated);
        var last = steps[^1];

        Assert.Equal(-15.0, last.Reward);
        Assert.Equal((long)GoombaX, Long(last, "x_pos"));
        Assert.Equal(2L, Long(last, "life"));
        Assert.False(last.Truncated);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Stage_SkippingFrames_EndsAtTheGoombaWithTheFrameOfThatStep(int skip)
    {
        // Skipped steps make no frame, but the one that ends the episode must, wherever it falls in the skip.
        using var skipping = new SkipFrames(Make((1, 1)), skip);
        using var plain = Make((1, 1));
        skipping.Reset();
        plain.Reset();
        StepResult outer, inner = default;
        do
        {
            outer = skipping.Step((long)NesButtons.Right);
            double reward = 0;
            for (int i = 0; i < skip && !inner.Terminated; i++)
            {
                inner = plain.Step((long)NesButtons.Right);
                reward += inner.Reward;
            }

            Assert.Equal(reward, outer.Reward);
            Assert.Equal(((NDArray)inner.Observation).Data, ((NDArray)outer.Observation).Data);
        }
        while (!outer.Terminated);

        Assert.True(inner.Terminated);
        Assert.Equal((long)GoombaX, Long(outer, "x_pos"));
    }

    [Fact]
    public void Stage_JumpingOverTheGoomba_ReachesTheFlag()
    {
        using var env = Make((1, 1));
        env.Reset();
        var steps = Hold(env, NesButtons.Right | NesButtons.A, step => step.Terminated);
        var last = steps[^1];

        Assert.Equal(true, last.Info["flag_get"]);
        Assert.Equal((long)FlagX, Long(last, "x_pos"));
        Assert.InRange(last.Reward, 0.0, 1.0);
        Assert.All(steps[..^1], step => Assert.Equal(false, step.Info["flag_get"]));
    }

    [Fact]
    public void Stage_WhenTheClockRunsOut_MarioDies()
    {
        using var env = Make((1, 1));
        env.Reset();
        var steps = Hold(env, 0L, step => step.Terminated);

        Assert.Equal(0L, Long(steps[^1], "time"));
        Assert.Equal(-15.0, steps[^1].Reward);
        Assert.Equal(-400.0 - 15.0 + 1.0, steps.Sum(step => step.Reward)); // 399 ticks of -1, then the clipped last
    }

    [Fact]
    public void WholeGame_ContinuesAfterADeath_UntilGameOver()
    {
        using var env = Make();
        env.Reset();
        var deaths = new List<StepResult>();
        var steps = Hold(env, NesButtons.Right, step =>
        {
            if (step.Reward == -15.0) deaths.Add(step);
            return step.Terminated;
        });

        // Dying with lives 2, 1 and 0 (the step after the last death sets life to 255: game over), as the real game
        // does on 7.4.0.
        Assert.Equal([2L, 1L, 0L, 255L], deaths.Select(step => Long(step, "life")));
        Assert.True(steps[^1].Terminated);
        int afterFirstDeath = steps.IndexOf(deaths[0]) + 1;
        // The death scene and the pre-level pause were skipped inside the dying step: play resumes at the start.
        Assert.Equal((long)StartX, Long(steps[afterFirstDeath], "x_pos"));
        Assert.Equal(0.0, steps[afterFirstDeath].Reward);
    }

    [Fact]
    public void WholeGame_AfterTheFlag_GoesOnToTheNextStage()
    {
        using var env = Make();
        env.Reset();
        var steps = Hold(env, NesButtons.Right | NesButtons.A, step => Long(step, "stage") == 2 && Long(step, "x_pos") > StartX);

        Assert.Contains(steps, step => step.Info["flag_get"] is true);
        Assert.All(steps, step => Assert.False(step.Terminated));
        Assert.Equal(1L, Long(steps[^1], "world"));
    }

    [Theory]
    [InlineData(1, 2, 2)] // worlds 1, 2, 4 and 7: stages 2-4 sit one area further
    [InlineData(3, 2, 1)]
    [InlineData(8, 4, 3)]
    public void Stage_WritesWorldStageAndAreaDuringTheStartScreen(int world, int stage, int areaByte)
    {
        using var env = Make((world, stage));
        var (_, info) = env.Reset();

        Assert.Equal((long)world, info["world"]);
        Assert.Equal((long)stage, info["stage"]);
        Assert.Equal(areaByte, env.Console.Ram[0x0760]);
    }

    [Fact]
    public void Actions_RightOnly_IsJoypadSpacesFiveActions()
    {
        using var env = Make(actions: "right_only");
        env.Reset();

        Assert.Equal(new Discrete(5), env.ActionSpace);
        env.Step(1L);
        Assert.Equal(StartX + 1L, Long(env.Step(1L), "x_pos"));
    }

    [Fact]
    public void Actions_AnExplicitList_MapsEachEntryToItsButtons()
    {
        byte[] bytes = NesButtons.ParseActions("test", new object?[] { new object?[] { "NOOP" }, new object?[] { "right", "A" }, "left", new object?[] { "B", "start", "select", "up", "down" } });

        Assert.Equal([0, NesButtons.Right | NesButtons.A, NesButtons.Left, NesButtons.B | NesButtons.Start | NesButtons.Select | NesButtons.Up | NesButtons.Down], bytes);
        Assert.Equal(12, NesButtons.ParseActions("test", "complex").Length);
        Assert.Equal(7, NesButtons.ParseActions("test", "simple").Length);
        Assert.Null(SuperMarioBrosEnv.ParseActionsKwarg("test", Array.Empty<object?>()));
    }

    [Theory]
    [InlineData("everything", "must be one of right_only, simple, complex")]
    [InlineData("jump", "must be one of")]
    public void Actions_AnUnknownSet_IsRejected(string actions, string expected) =>
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => NesButtons.ParseActions("test", actions)).Message);

    [Fact]
    public void Actions_AnUnknownButton_IsRejectedNamingTheButtons()
    {
        var error = Assert.Throws<ArgumentException>(() => NesButtons.ParseActions("test", new object?[] { new object?[] { "right", "X" } }));

        Assert.Contains("unknown button 'X'", error.Message);
        Assert.Contains("right, left, down, up, start, select, B, A, NOOP", error.Message);
    }

    [Fact]
    public void Registry_HasTheWholeGameAndAll32Stages()
    {
        var ids = BuiltInEnvs.CreateRegistry().Specs.Select(spec => spec.Id).ToHashSet();

        Assert.Contains("SuperMarioBros-v0", ids);
        Assert.Contains("NES-v0", ids);
        Assert.Equal(32, ids.Count(id => System.Text.RegularExpressions.Regex.IsMatch(id, @"^SuperMarioBros-[1-8]-[1-4]-v0$")));
    }

    [Fact]
    public void Make_WithoutARomDirectory_SaysHowToGiveOne()
    {
        string? saved = Environment.GetEnvironmentVariable(RomDirectory.EnvironmentVariable);
        Environment.SetEnvironmentVariable(RomDirectory.EnvironmentVariable, null);
        try
        {
            var spec = BuiltInEnvs.CreateRegistry().Get("SuperMarioBros-1-1-v0");
            var error = Assert.Throws<ArgumentException>(() => spec.Make());
            Assert.Contains(SuperMarioBrosEnv.RomSha1, error.Message);
            Assert.Contains("--rom-dir", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RomDirectory.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Make_WithOnlyOtherRomsInTheDirectory_NamesTheDirectoryAndItsFiles()
    {
        string directory = Directory.CreateTempSubdirectory("zerogym-roms-").FullName;
        try
        {
            File.Copy(TestRoms.Path(TestRoms.MarioLike), Path.Combine(directory, "super-mario-bros.nes"));
            var spec = BuiltInEnvs.CreateRegistry(new NesConfiguration(directory)).Get("SuperMarioBros-v0");

            var error = Assert.Throws<ArgumentException>(() => spec.Make());
            Assert.Contains(directory, error.Message);
            Assert.Contains("super-mario-bros.nes", error.Message);
            Assert.Contains(SuperMarioBrosEnv.RomSha1, error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Construct_WithAGameThatNeverStarts_GivesUpWithAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new SuperMarioBrosEnv(new NesConsole(TestRoms.Rom(TestRoms.Joypad)), null, null, null, skipFrameLimit: 600));

        Assert.Contains("does not behave as Super Mario Bros", error.Message);
    }
}
