using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Wrappers;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs.Nes;

public sealed class NesEnvTests
{
    private static readonly EnvSpec Spec = NesEnv.CreateSpec(new RomDirectory(RomFolder));

    private static string RomFolder => Path.GetDirectoryName(TestRoms.Path(TestRoms.Joypad))!;

    private static Env Make(string rom = TestRoms.Joypad + ".nes", string palette = NesEnv.NesPyPalette) =>
        Spec.Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = rom, [NesEnv.PaletteKwarg] = palette }, NesEnv.RgbArrayRenderMode);

    private static (byte R, byte G, byte B) Pixel(object observation, int row, int column)
    {
        var data = ((NDArray)observation).Data;
        int offset = (row * 256 + column) * 3;
        return (data[offset], data[offset + 1], data[offset + 2]);
    }

    [Fact]
    public void Spaces_AreNesPysScreenAndJoypadByte()
    {
        using var env = Make();

        var screen = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal([240, 256, 3], screen.Shape);
        Assert.Equal(DType.UInt8, screen.DType);
        Assert.Equal(new Discrete(256), env.ActionSpace);
    }

    [Fact]
    public void Reset_StartsAfterPowerOn_WithTheSameFrameEachTime()
    {
        using var env = Make();
        var (observation, info) = env.Reset(seed: 3);
        for (int i = 0; i < 10; i++) env.Step((long)NesButtons.Start);

        Assert.Equal([240, 256, 3], ((NDArray)observation).Shape);
        Assert.Equal(((NDArray)observation).Data, ((NDArray)env.Reset().Observation).Data);
        Assert.Empty(info);
    }

    [Fact]
    public void Step_ShowsTheButtonsOneFrameLater_InNesPysPalette()
    {
        using var env = Make();
        env.Reset();
        for (int i = 0; i < 6; i++) env.Step(0L);
        // Nothing held: colour $21 of nes-py's palette.
        Assert.Equal(NesPalette.NesPy(0x21), Pixel(env.Step(0L).Observation, 120, 128));

        // The ROM colours the frame with what it read at vblank; Right (colour $27) shows within two frames.
        env.Step((long)NesButtons.Right);
        var step = env.Step((long)NesButtons.Right);
        Assert.Equal(NesPalette.NesPy(0x27), Pixel(step.Observation, 0, 0));
        Assert.Equal(0.0, step.Reward);
        Assert.False(step.Terminated || step.Truncated);
        Assert.Equal(Pixel(step.Observation, 0, 0), Pixel(env.Render(), 239, 255));
    }

    [Fact]
    public void Step_DropsLeftWithRight()
    {
        using var env = Make();
        var console = ((NesEnv)env).Console;
        env.Reset();
        for (int i = 0; i < 6; i++) env.Step((long)(NesButtons.Left | NesButtons.Right | NesButtons.B));

        Assert.Equal(NesButtons.B, console.Ram[TestRoms.ButtonsAddress]);
    }

    [Fact]
    public void Palette_Nestopia_DiffersFromNesPys()
    {
        using var env = Make(palette: NesEnv.NestopiaPalette);
        env.Reset();
        object observation = null!;
        for (int i = 0; i < 8; i++) observation = env.Step(0L).Observation;

        Assert.NotEqual(NesPalette.NesPy(0x21), Pixel(observation, 0, 0));
    }

    [Fact]
    public void Wrapped_SkippedFramesAndReusedBuffers_ShowWhatPlainStepsShow()
    {
        // The mario chain skips making the frames it drops and reuses one frame array; the frames it shows must be
        // those of the plain env stepped frame by frame, and the plain env's must stay the caller's to keep.
        var kwargs = new Dictionary<string, object?>
        {
            [NesEnv.RomKwarg] = TestRoms.Joypad + ".nes",
            ["wrappers"] = new object?[] { new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = 3L }, "grayscale" },
        };
        using var wrapped = Spec.Make(kwargs);
        using var plain = Make();
        long[] actions = [128, 1, 64, 8, 0, 2, 16, 32];
        var kept = new List<byte[]>();
        var expected = new byte[256 * 240];

        Grayscale.Convert(((NDArray)plain.Reset().Observation).Data, expected);
        Assert.Equal(expected, ((NDArray)wrapped.Reset().Observation).Data);
        foreach (long action in actions)
        {
            NDArray last = null!;
            for (int frame = 0; frame < 3; frame++)
            {
                last = (NDArray)plain.Step(action).Observation;
                kept.Add(last.Data);
            }

            Grayscale.Convert(last.Data, expected);
            Assert.Equal(expected, ((NDArray)wrapped.Step(action).Observation).Data);
        }

        Assert.Equal(kept.Count, kept.Distinct().Count());
    }

    [Fact]
    public void SkipFrames_TruncatedBetweenItsSteps_StillReturnsTheLastFrame()
    {
        var kwargs = new Dictionary<string, object?>
        {
            [NesEnv.RomKwarg] = TestRoms.Joypad + ".nes",
            ["max_episode_steps"] = 6L,
            ["wrappers"] = new object?[] { new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = 4L } },
        };
        using var wrapped = Spec.Make(kwargs);
        using var plain = Make();
        wrapped.Reset();
        plain.Reset();
        for (int i = 0; i < 6; i++) plain.Step(128L);

        wrapped.Step(128L);
        var truncated = wrapped.Step(128L);

        Assert.True(truncated.Truncated);
        Assert.Equal(((NDArray)plain.Render()).Data, ((NDArray)truncated.Observation).Data);
    }

    [Fact]
    public void Reset_ReplaysTheSameEpisode()
    {
        using var env = Make();
        long[] actions = [0, 128, 128, 1, 64, 0, 8, 8, 0, 2];
        byte[][] Play()
        {
            env.Reset();
            return actions.Select(action => ((NDArray)env.Step(action).Observation).Data).ToArray();
        }

        var first = Play();
        var second = Play();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Make_WithAPath_LoadsThatFile()
    {
        using var env = Spec.Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = TestRoms.Path(TestRoms.MarioLike) });

        env.Reset();
        env.Step(0L);
    }

    [Fact]
    public void Make_WithoutRom_SaysWhatItNeeds()
    {
        var error = Assert.Throws<ArgumentException>(() => Spec.Make());

        Assert.Contains("needs the kwarg rom", error.Message);
    }

    [Fact]
    public void Make_WithAMissingRom_NamesItAndTheDirectory()
    {
        var error = Assert.Throws<ArgumentException>(() => Make("zelda.nes"));

        Assert.Contains("'zelda.nes'", error.Message);
        Assert.Contains(RomFolder, error.Message);
    }

    [Fact]
    public void Make_WithAFileName_AndNoRomDirectory_SaysHowToSetOne()
    {
        string? saved = Environment.GetEnvironmentVariable(RomDirectory.EnvironmentVariable);
        Environment.SetEnvironmentVariable(RomDirectory.EnvironmentVariable, null);
        try
        {
            var spec = NesEnv.CreateSpec(new RomDirectory());
            var error = Assert.Throws<ArgumentException>(() => spec.Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = "joypad.nes" }));
            Assert.Contains("--rom-dir", error.Message);
            Assert.Contains(RomDirectory.EnvironmentVariable, error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RomDirectory.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Make_WithAFileThatIsNotARom_SaysWhatWasExpected()
    {
        string file = Path.Combine(RomFolder, "not-a-rom.nes");
        File.WriteAllText(file, "hello");

        var error = Assert.Throws<ArgumentException>(() => Make("not-a-rom.nes"));
        Assert.Contains("not an iNES ROM", error.Message);
        Assert.Contains("68656C6C", error.Message);
    }

    [Fact]
    public void Make_WithAnUnknownPalette_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Make(palette: "sepia"));

        Assert.Contains("'nes-py' or 'nestopia'", error.Message);
    }

    [Fact]
    public void Parse_TruncatedRom_IsRejected()
    {
        byte[] bytes = File.ReadAllBytes(TestRoms.Path(TestRoms.Joypad))[..1000];

        var error = Assert.Throws<ArgumentException>(() => NesRom.Parse("cut.nes", bytes));
        Assert.Contains("24592 bytes; the file has 1000", error.Message);
    }
}
