using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Nes;

/// <summary>
/// SuperMarioBros-v0 and SuperMarioBros-&lt;world&gt;-&lt;stage&gt;-v0: Super Mario Bros as gym-super-mario-bros 7.4.0
/// plays it on nes-py 8.2.1, on the user's own ROM.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The NES game on Nestopia (see <see cref="NesEnv"/>), one frame per step. At
/// construction the start screen is skipped (Start pressed and released until the clock runs; for a single stage
/// the world and stage are written into RAM meanwhile) and the state then is snapshotted: every reset restores it.
/// After each step that does not end the episode the env cuts the game's pauses short as 7.4.0 does: a dying
/// Mario is made dead at once, the end-of-world scene (whole game only), area changes and busy states (pre-level
/// screens, pipes, vines) are run through with no buttons held.</para>
/// <para><b>Action Space.</b> <c>Discrete(256)</c>, the raw joypad byte of nes-py (bit 7 Right ... bit 0 A), or with
/// the <c>actions</c> kwarg a <c>Discrete(n)</c> over button combinations as nes-py's <c>JoypadSpace</c>:
/// "right_only" (5), "simple" (7), "complex" (12), or an explicit list such as
/// <c>[["NOOP"], ["right", "A"]]</c> (buttons right, left, down, up, start, select, B, A, NOOP).</para>
/// <para><b>Observation Space.</b> <c>Box(0, 255, (240, 256, 3), uint8)</c>: the screen after the step (after the
/// skips above), in nes-py's palette unless <c>palette</c> is "nestopia".</para>
/// <para><b>Rewards.</b> Δx + Δclock + death, clipped to [-15, 15]: Δx is the change of x_pos since the previous
/// step (0 when it exceeds 5 in size, as when a life restarts), Δclock the change of the in-game clock (≤ 0;
/// an increase counts 0), death -25 while Mario is dying or dead.</para>
/// <para><b>Starting State.</b> The snapshot after the start screen: 1-1 for the whole game, the chosen stage
/// otherwise; time 400, x_pos 40, life 2 on the real game.</para>
/// <para><b>Episode End.</b> A stage env terminates when Mario is dying or dead or gets the flag
/// (<c>flag_get</c>); the whole game terminates at game over (life 255). Truncation after 9,999,999 steps, the
/// limit gym-super-mario-bros registers.</para>
/// <para>Info (RAM of the real game): <c>coins</c>, <c>flag_get</c>, <c>life</c> (0x75a), <c>score</c>, <c>stage</c>
/// (0x75c + 1), <c>status</c> ("small", "tall" or "fireball"), <c>time</c> (digits 0x7f8-0x7fa), <c>world</c>
/// (0x75f + 1), <c>x_pos</c> (0x6d * 256 + 0x86), <c>y_pos</c>; also given at reset.</para>
/// <para><b>Arguments.</b> <c>actions</c> (a set name or a list, default [] = the raw joypad byte);
/// <c>palette</c> ("nes-py" or "nestopia"); <c>render_mode</c>: null or "rgb_array". The ROM is found by its
/// SHA-1 (ab30029efec6ccfc5d65dfda7fbc6e6489a80805, the iNES dump gym-super-mario-bros uses) in the ROM
/// directory (<c>--rom-dir</c> or <c>ZEROGYM_ROM_DIR</c>), whatever its file name; <c>rom</c> (a path, or a file
/// name in the ROM directory) plays another ROM with the same RAM layout instead, such as the Mario-like test ROM
/// of tests/roms, unchecked.</para>
/// <para><b>Version History.</b> v0: gym-super-mario-bros 7.4.0 on nes-py 8.2.1 ("vanilla" ROM mode). Known
/// difference: on numpy 1.x 7.4.0 computes Δx in uint16, so a step to the left pays 0 there; here it pays Δx.</para>
/// </remarks>
public sealed class SuperMarioBrosEnv : Env
{
    public const string RomSha1 = "ab30029efec6ccfc5d65dfda7fbc6e6489a80805";
    public const string ActionsKwarg = "actions";

    private const double RewardMin = -15, RewardMax = 15;
    private const string Game = "Super Mario Bros";

    // RAM addresses gym-super-mario-bros 7.4.0 reads and writes.
    private const int PlayerStateAddress = 0x000E, FloatStateAddress = 0x001D, XPageAddress = 0x006D, XPixelAddress = 0x0086;
    private const int YViewportAddress = 0x00B5, YPixelAddress = 0x03B8, ChangeAreaTimerAddress = 0x06DE, StatusAddress = 0x0756;
    private const int LifeAddress = 0x075A, StageAddress = 0x075C, WorldAddress = 0x075F, AreaAddress = 0x0760;
    private const int GameModeAddress = 0x0770, PrelevelTimerAddress = 0x07A0, ScoreAddress = 0x07DE, CoinsAddress = 0x07ED, TimeAddress = 0x07F8;
    private static readonly int[] EnemyTypeAddresses = [0x16, 0x17, 0x18, 0x19, 0x1A];

    private const byte Dying = 0x0B, Dead = 0x06;
    private static readonly byte[] BusyStates = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x07];
    private const byte Bowser = 0x2D, Flagpole = 0x31;

    private static readonly Discrete JoypadSpace = new(256);

    // The skip loops of 7.4.0 wait for the game without a bound; a game that never gets there would hang the
    // server, so after ten minutes of game time they give up.
    internal const int DefaultSkipFrameLimit = 36_000;

    private readonly NesConsole console;
    private readonly (int World, int Stage, int Area)? target;
    private readonly byte[]? actionBytes;
    private readonly Discrete actionSpace;
    private readonly NesConsole.Snapshot start;
    private readonly int skipFrameLimit;
    private int timeLast;
    private int xPositionLast;
    private bool hasState;

    /// <summary>
    /// Plays <paramref name="console"/>'s game as Super Mario Bros: skips its start screen now and keeps the
    /// state after it for every reset. The console must hold the real game (the registry checks its SHA-1) or a
    /// ROM with the same RAM layout (the test ROM).
    /// </summary>
    /// <param name="target">World 1-8 and stage 1-4 for a single-stage env, null for the whole game.</param>
    /// <param name="actionBytes">Joypad bytes of a discrete action space (<see cref="NesButtons.ParseActions"/>), null for the raw byte.</param>
    /// <param name="skipFrameLimit">Frames a skip loop may wait before the env gives up on the ROM.</param>
    internal SuperMarioBrosEnv(NesConsole console, (int World, int Stage)? target, byte[]? actionBytes, string? renderMode, int skipFrameLimit = DefaultSkipFrameLimit)
    {
        this.console = console;
        this.skipFrameLimit = skipFrameLimit;
        this.actionBytes = actionBytes;
        actionSpace = actionBytes is null ? JoypadSpace : new Discrete(actionBytes.Length);
        RenderMode = renderMode;
        if (target is var (world, stage))
        {
            if (world is < 1 or > 8 || stage is < 1 or > 4) throw new ArgumentException($"{Game}: target world must be 1-8 and stage 1-4; got {world}-{stage}");
            // decode_target: the stages after an intro area (a pipe into the level) sit one area further.
            int area = world is 1 or 2 or 4 or 7 && stage >= 2 ? stage + 1 : stage;
            this.target = (world, stage, area);
        }

        try
        {
            // nes-py's first reset powers the console on; the constructor then skips the start screen.
            WillReset();
            DidReset();
            SkipStartScreen();
            start = console.Save();
        }
        catch
        {
            console.Dispose();
            throw;
        }
    }

    public override Space ObservationSpace => NesEnv.ScreenSpace;

    public override Space ActionSpace => actionSpace;

    /// <summary>The whole game and the 32 stages, found by SHA-1 in <paramref name="roms"/> when made.</summary>
    public static IEnumerable<EnvSpec> CreateSpecs(RomDirectory roms)
    {
        yield return CreateSpec("SuperMarioBros-v0", null, roms);
        for (int world = 1; world <= 8; world++)
        {
            for (int stage = 1; stage <= 4; stage++) yield return CreateSpec($"SuperMarioBros-{world}-{stage}-v0", (world, stage), roms);
        }
    }

    private static EnvSpec CreateSpec(string id, (int World, int Stage)? target, RomDirectory roms) => new(
        Id: id,
        Create: (kwargs, renderMode) =>
        {
            byte[]? actions = ParseActionsKwarg(id, kwargs.Values[ActionsKwarg]);
            bool nesPy = NesEnv.ParsePalette(id, kwargs.GetString(NesEnv.PaletteKwarg));
            var rom = kwargs.GetString(NesEnv.RomKwarg) is { } named ? roms.Open(id, named) : roms.FindBySha1(id, Game, RomSha1);
            return new SuperMarioBrosEnv(new NesConsole(rom, nesPy), target, actions, renderMode);
        },
        Kwargs: new Dictionary<string, object?>
        {
            [ActionsKwarg] = Array.Empty<object?>(), [NesEnv.PaletteKwarg] = NesEnv.NesPyPalette, [NesEnv.RomKwarg] = null,
        },
        MaxEpisodeSteps: 9_999_999,
        RewardThreshold: null,
        RenderModes: [NesEnv.RgbArrayRenderMode],
        RenderFps: 60,
        Description: target is var (world, stage)
            ? $"Super Mario Bros stage {world}-{stage} (the user's ROM), one frame per step, as gym-super-mario-bros 7.4.0: " +
              "reward = x progress + clock ticks - 25 on death, clipped to [-15, 15]; ends when Mario dies or gets the flag."
            : "Super Mario Bros, the whole game (the user's ROM), one frame per step, as gym-super-mario-bros 7.4.0: " +
              "reward = x progress + clock ticks - 25 on death, clipped to [-15, 15]; ends at game over.",
        NeedsOwnProcess: true);

    /// <summary>The <c>actions</c> kwarg: an empty list (the default) keeps the raw joypad byte.</summary>
    internal static byte[]? ParseActionsKwarg(string envId, object? actions) =>
        actions is IReadOnlyList<object?> { Count: 0 } ? null : NesButtons.ParseActions(envId, actions);

    /// <summary>The console, for tests that read RAM.</summary>
    internal NesConsole Console => console;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        base.Reset(seed, options);
        WillReset();
        console.Restore(start);
        DidReset();
        hasState = true;
        return new ResetResult(console.FrameArray(reused: ObservationsReadAtOnce), GetInfo());
    }

    /// <summary>nes-py's step: one frame, then reward, done and info from RAM, then the skips of <c>_did_step</c>.</summary>
    public override StepResult Step(object action) => Advance(action, observe: true);

    /// <summary>As <see cref="Step"/>, copying the screen out only when the episode ends.</summary>
    public override StepResult StepUnobserved(object action) => Advance(action, observe: false);

    private StepResult Advance(object action, bool observe)
    {
        if (!hasState) throw new InvalidOperationException($"{Game}: Step called before Reset");
        long index = (long)action;
        console.FrameAdvance(actionBytes is null ? (byte)index : actionBytes[index]);
        double reward = XReward() + TimePenalty() + DeathPenalty();
        bool done = IsSingleStage ? IsDying || IsDead || FlagGet : IsGameOver;
        var info = GetInfo();
        DidStep(done);
        var observation = observe || done ? console.FrameArray(reused: ObservationsReadAtOnce) : null!;
        return new StepResult(observation, Math.Clamp(reward, RewardMin, RewardMax), done, false, info);
    }

    public override NDArray Render()
    {
        if (RenderMode != NesEnv.RgbArrayRenderMode) throw new InvalidOperationException($"{Game} was made without render_mode 'rgb_array'");
        return console.FrameArray();
    }

    public override void Dispose()
    {
        console.Dispose();
        base.Dispose();
    }

    // MARK: RAM, as 7.4.0 reads it

    private bool IsSingleStage => target is not null;

    private byte Ram(int address) => console.Ram[address];

    /// <summary>A number kept as one decimal digit per byte; each byte is written out in decimal and the text read back.</summary>
    private int ReadDigits(int address, int count)
    {
        long value = 0;
        foreach (byte digit in console.Ram.Slice(address, count))
        {
            value = value * (digit < 10 ? 10 : digit < 100 ? 100 : 1000) + digit;
        }

        return (int)value;
    }

    private int Time => ReadDigits(TimeAddress, 3);

    private int Score => ReadDigits(ScoreAddress, 6);

    private int Coins => ReadDigits(CoinsAddress, 2);

    private int Life => Ram(LifeAddress);

    private int XPosition => Ram(XPageAddress) * 0x100 + Ram(XPixelAddress);

    private int YPosition => Ram(YViewportAddress) < 1 ? 255 + (255 - Ram(YPixelAddress)) : 255 - Ram(YPixelAddress);

    private string PlayerStatus => Ram(StatusAddress) switch { 0 => "small", 1 => "tall", _ => "fireball" };

    private byte PlayerState => Ram(PlayerStateAddress);

    private bool IsDying => PlayerState == Dying || Ram(YViewportAddress) > 1;

    private bool IsDead => PlayerState == Dead;

    private bool IsGameOver => Life == 0xFF;

    private bool IsBusy => BusyStates.Contains(PlayerState);

    private bool IsWorldOver => Ram(GameModeAddress) == 2;

    private bool IsStageOver
    {
        get
        {
            // The first slot holding Bowser or the flagpole decides: float state 3 is sliding down the pole
            // (a vine also fills a slot, with another float state).
            foreach (int address in EnemyTypeAddresses)
            {
                if (Ram(address) is Bowser or Flagpole) return Ram(FloatStateAddress) == 3;
            }

            return false;
        }
    }

    private bool FlagGet => IsWorldOver || IsStageOver;

    private Dictionary<string, object?> GetInfo() => new()
    {
        ["coins"] = (long)Coins,
        ["flag_get"] = FlagGet,
        ["life"] = (long)Life,
        ["score"] = (long)Score,
        ["stage"] = (long)Ram(StageAddress) + 1,
        ["status"] = PlayerStatus,
        ["time"] = (long)Time,
        ["world"] = (long)Ram(WorldAddress) + 1,
        ["x_pos"] = (long)XPosition,
        ["y_pos"] = (long)YPosition,
    };

    // MARK: reward

    private int XReward()
    {
        int reward = XPosition - xPositionLast;
        xPositionLast = XPosition;
        // A life restarting moves x back by far more than one frame can: that is no reward.
        return reward is < -5 or > 5 ? 0 : reward;
    }

    private int TimePenalty()
    {
        int reward = Time - timeLast;
        timeLast = Time;
        return reward > 0 ? 0 : reward;
    }

    private int DeathPenalty() => IsDying || IsDead ? -25 : 0;

    // MARK: nes-py hooks and RAM hacks of 7.4.0

    private void WillReset()
    {
        timeLast = 0;
        xPositionLast = 0;
    }

    private void DidReset()
    {
        timeLast = Time;
        xPositionLast = XPosition;
    }

    private void DidStep(bool done)
    {
        if (done) return;
        if (IsDying) KillMario();
        if (!IsSingleStage) SkipEndOfWorld();
        SkipChangeArea();
        SkipOccupiedStates();
    }

    private void SkipStartScreen()
    {
        int frames = 0;
        console.FrameAdvance(NesButtons.Start);
        console.FrameAdvance(0);
        while (Time == 0)
        {
            CountSkippedFrames(ref frames, 2, "the clock to start after the start screen");
            console.FrameAdvance(NesButtons.Start);
            if (target is var (world, stage, area))
            {
                console.Ram[WorldAddress] = (byte)(world - 1);
                console.Ram[StageAddress] = (byte)(stage - 1);
                console.Ram[AreaAddress] = (byte)(area - 1);
            }

            console.FrameAdvance(0);
            RunOutPrelevelTimer();
        }

        timeLast = Time;
        while (Time >= timeLast)
        {
            CountSkippedFrames(ref frames, 2, "the clock to tick after the start screen");
            timeLast = Time;
            console.FrameAdvance(NesButtons.Start);
            console.FrameAdvance(0);
        }
    }

    private void RunOutPrelevelTimer() => console.Ram[PrelevelTimerAddress] = 0;

    private void SkipChangeArea()
    {
        byte timer = Ram(ChangeAreaTimerAddress);
        if (timer > 1 && timer < 255) console.Ram[ChangeAreaTimerAddress] = 1;
    }

    private void SkipOccupiedStates()
    {
        int frames = 0;
        while (IsBusy || IsWorldOver)
        {
            CountSkippedFrames(ref frames, 1, "Mario to be playable again");
            RunOutPrelevelTimer();
            console.FrameAdvance(0);
        }
    }

    private void SkipEndOfWorld()
    {
        if (!IsWorldOver) return;
        int time = Time;
        int frames = 0;
        while (Time == time)
        {
            CountSkippedFrames(ref frames, 1, "the end-of-world scene to finish");
            console.FrameAdvance(0);
        }
    }

    private void CountSkippedFrames(ref int frames, int more, string waitingFor)
    {
        frames += more;
        if (frames > skipFrameLimit)
        {
            throw new InvalidOperationException($"{Game}: waited {skipFrameLimit} frames for {waitingFor}; the ROM does not behave as Super Mario Bros");
        }
    }

    private void KillMario()
    {
        console.Ram[PlayerStateAddress] = Dead;
        console.FrameAdvance(0);
    }
}
