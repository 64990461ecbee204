using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Nes;

/// <summary>
/// NES-v0: any NES game the user supplies, frame by frame, as nes-py 8.2.1's <c>NESEnv</c> plays it; a base for
/// game-specific envs such as Super Mario Bros.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> An NTSC NES emulated by the Nestopia libretro core, one private copy of the core per
/// env. One step is one frame (1/60.1 s).</para>
/// <para><b>Action Space.</b> <c>Discrete(256)</c>: the joypad byte in nes-py's layout, bit 7 Right, 6 Left,
/// 5 Down, 4 Up, 3 Start, 2 Select, 1 B, 0 A. As on nes-py, a step's buttons reach the game one frame later
/// (see <see cref="NesConsole"/>). Left+Right and Up+Down pressed together are both dropped.</para>
/// <para><b>Observation Space.</b> <c>Box(0, 255, (240, 256, 3), uint8)</c>: the screen after the step, RGB in
/// nes-py's palette by default.</para>
/// <para><b>Rewards.</b> 0 for every step.</para>
/// <para><b>Starting State.</b> The console one frame after power-on with the ROM inserted; every reset returns
/// to that same state and frame, so episodes are deterministic. The seed is accepted and unused.</para>
/// <para><b>Episode End.</b> Never: no termination and no time limit (pass <c>max_episode_steps</c> for one).</para>
/// <para><b>Arguments.</b> <c>rom</c> (string, required): a file name inside the ROM directory (server option
/// <c>--rom-dir</c> or <c>ZEROGYM_ROM_DIR</c>) or a path to an iNES file. <c>palette</c> (string, default
/// "nes-py"): "nes-py" for nes-py's colours or "nestopia" for the core's own. <c>render_mode</c>: null or
/// "rgb_array" (the observation frame).</para>
/// <para><b>Version History.</b> v0: first version, on Nestopia (libretro) with nes-py's frame timing.</para>
/// </remarks>
public sealed class NesEnv : Env
{
    public const string RomKwarg = "rom";
    public const string PaletteKwarg = "palette";
    public const string NesPyPalette = "nes-py";
    public const string NestopiaPalette = "nestopia";
    public const string RgbArrayRenderMode = "rgb_array";

    /// <summary>Observations and rendered frames: the whole NES screen.</summary>
    public static readonly Box ScreenSpace = new(0, 255, [NesConsole.Height, NesConsole.Width, 3], DType.UInt8);

    private static readonly Discrete JoypadSpace = new(256);

    private readonly NesConsole console;
    private readonly NesConsole.Snapshot powerOn;
    private bool hasState;

    public NesEnv(NesConsole console, string? renderMode = null)
    {
        this.console = console;
        RenderMode = renderMode;
        try
        {
            // Nestopia finishes setting up during its first frame: a state saved before it does not replay the
            // same, so the episodes start one frame after power-on.
            console.FrameAdvance(0);
            powerOn = console.Save();
        }
        catch
        {
            console.Dispose();
            throw;
        }
    }

    public override Space ObservationSpace => ScreenSpace;

    public override Space ActionSpace => JoypadSpace;

    /// <summary>The console, for envs and tests that read RAM.</summary>
    public NesConsole Console => console;

    /// <summary>NES-v0 for the registry; ROM names are resolved in <paramref name="roms"/> when an env is made.</summary>
    public static EnvSpec CreateSpec(RomDirectory roms) => new(
        Id: "NES-v0",
        Create: (kwargs, renderMode) =>
        {
            string rom = kwargs.GetString(RomKwarg) ?? throw new ArgumentException(
                "NES-v0 needs the kwarg rom: a file name in the ROM directory (--rom-dir or ZEROGYM_ROM_DIR) or a path to an iNES file");
            bool nesPy = ParsePalette("NES-v0", kwargs.GetString(PaletteKwarg));
            return new NesEnv(new NesConsole(roms.Open("NES-v0", rom), nesPy), renderMode);
        },
        Kwargs: new Dictionary<string, object?> { [RomKwarg] = null, [PaletteKwarg] = NesPyPalette },
        MaxEpisodeSteps: null,
        RewardThreshold: null,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 60,
        Description:
            "Any NES game from an iNES ROM the user supplies (kwarg rom), one frame per step, as nes-py plays it. " +
            "Observation: the 240x256 RGB screen. Actions: the joypad byte (bit 7 Right ... bit 0 A). Reward 0; " +
            "episodes never end.",
        NeedsOwnProcess: true);

    /// <summary>The palette kwarg: true for nes-py's colours; anything but the two names throws.</summary>
    public static bool ParsePalette(string envId, string? palette) => palette switch
    {
        NesPyPalette => true,
        NestopiaPalette => false,
        _ => throw new ArgumentException($"{envId}: palette must be '{NesPyPalette}' or '{NestopiaPalette}'; got '{palette}'"),
    };

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        base.Reset(seed, options);
        console.Restore(powerOn);
        hasState = true;
        return new ResetResult(console.FrameArray(reused: ObservationsReadAtOnce), Info.Empty);
    }

    /// <summary>One frame with the joypad byte <paramref name="action"/> (a <see cref="long"/> in 0..255).</summary>
    public override StepResult Step(object action)
    {
        Advance(action);
        return new StepResult(console.FrameArray(reused: ObservationsReadAtOnce), 0.0, false, false, Info.Empty);
    }

    /// <summary>One frame without copying the screen out; episodes never end here, so the observation is always null.</summary>
    public override StepResult StepUnobserved(object action)
    {
        Advance(action);
        return new StepResult(null!, 0.0, false, false, Info.Empty);
    }

    private void Advance(object action)
    {
        if (!hasState) throw new InvalidOperationException("NES-v0: Step called before Reset");
        console.FrameAdvance((byte)(long)action);
    }

    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException("NES-v0 was made without render_mode 'rgb_array'");
        return console.FrameArray();
    }

    public override void Dispose()
    {
        console.Dispose();
        base.Dispose();
    }
}
