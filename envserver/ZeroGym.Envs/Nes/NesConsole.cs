using ZeroGym.Arrays;
using ZeroGym.Envs.Interop.Libretro;

namespace ZeroGym.Envs.Nes;

/// <summary>
/// An NES on the Nestopia libretro core, driven the way nes-py drives LaiNES: one <see cref="FrameAdvance"/> per
/// joypad byte, RAM readable and writable, snapshots that include the frame on screen.
/// </summary>
/// <remarks>
/// <para>Timing: nes-py applies a step's joypad one frame later than Nestopia reads it, so each frame is run with
/// the byte of the <em>previous</em> advance held, and the byte just given is kept for the next one. That is what
/// makes the Mario start-screen skip take 218 frames and end at time 400, as on nes-py.</para>
/// <para>Buttons: libretro's X and Y are turbo A and B on Nestopia and are never pressed; Left with Right and Up
/// with Down are dropped together (Nestopia ignores such pairs anyway; dropping them here makes that explicit).</para>
/// </remarks>
public sealed class NesConsole : IDisposable
{
    /// <summary>Overrides where the Nestopia core is looked for (a path to <c>nestopia_libretro.so</c>).</summary>
    public const string CoreEnvironmentVariable = "ZEROGYM_NESTOPIA_CORE";

    public const int Height = 240;
    public const int Width = 256;
    private const string CoreFileName = "nestopia_libretro.so";
    private const string DebianCorePath = "/usr/lib/x86_64-linux-gnu/libretro/" + CoreFileName;

    /// <summary>
    /// Every Nestopia volume at 0: with nothing audible its APU only keeps time (frame counter, length counters, IRQs)
    /// and synthesizes no samples. The gain follows the sound the game makes: Super Mario Bros in play ran 8% faster in
    /// a bare C frontend (median of 6, per CPU-second), about 1% on quieter stretches; the silent test ROM, none.
    /// What the game reads is unchanged: RAM and frames of both hash the same over 20,000 frames of random input.
    /// </summary>
    private static readonly string[] VolumeOptions =
    [
        "nestopia_audio_vol_sq1", "nestopia_audio_vol_sq2", "nestopia_audio_vol_tri", "nestopia_audio_vol_noise",
        "nestopia_audio_vol_dpcm", "nestopia_audio_vol_fds", "nestopia_audio_vol_mmc5", "nestopia_audio_vol_vrc6",
        "nestopia_audio_vol_vrc7", "nestopia_audio_vol_n163", "nestopia_audio_vol_s5b",
    ];

    private readonly LibretroEmulator emulator;
    private NDArray? reusedFrame;
    private byte pendingJoypad;

    /// <param name="rom">The game.</param>
    /// <param name="nesPyPalette">Show nes-py's colours (true) or Nestopia's default palette.</param>
    /// <param name="corePath">The libretro core; null finds Nestopia (see <see cref="FindCore"/>).</param>
    /// <exception cref="LibretroException">The core is missing, fails to load or refuses the ROM.</exception>
    public NesConsole(NesRom rom, bool nesPyPalette = true, string? corePath = null)
    {
        // The envs have no audio, so the core need not make any.
        var options = VolumeOptions.ToDictionary(option => option, _ => "0");
        var systemFiles = new Dictionary<string, byte[]>();
        if (nesPyPalette)
        {
            options[NesPalette.CoreOption] = NesPalette.CoreOptionCustom;
            systemFiles[NesPalette.CustomFileName] = NesPalette.NesPyCustomPal();
        }

        emulator = new LibretroEmulator(corePath ?? FindCore(), rom.Bytes, rom.Name, options, systemFiles);
        if (emulator.Width != Width || emulator.Height != Height)
        {
            emulator.Dispose();
            throw new LibretroException($"the NES core draws {emulator.Width}x{emulator.Height} frames; expected {Width}x{Height}");
        }
    }

    /// <summary>The console's 2 KiB of RAM, live: writes change the running game (nes-py's <c>env.ram</c>).</summary>
    public Span<byte> Ram => emulator.Ram;

    /// <summary>The frame on screen: 240 rows of 256 RGB pixels.</summary>
    public ReadOnlySpan<byte> Frame => emulator.Frame;

    /// <summary>The joypad byte (nes-py's layout) the next frame will be run with.</summary>
    public byte PendingJoypad => pendingJoypad;

    /// <summary>nes-py's <c>_frame_advance(action)</c>: one frame; <paramref name="joypad"/> is held during the next.</summary>
    public void FrameAdvance(byte joypad)
    {
        emulator.Joypad = ToRetroJoypad(pendingJoypad);
        emulator.RunFrame();
        pendingJoypad = joypad;
    }

    /// <summary>
    /// The frame as a uint8 array of shape (240, 256, 3): a new one, or with <paramref name="reused"/> the same array
    /// on every call, overwritten, for a caller that reads it before the next call. A new 180 KiB array per frame
    /// lands on the large object heap and costs far more than the copy into it.
    /// </summary>
    public NDArray FrameArray(bool reused = false)
    {
        // Every byte is overwritten at once, so the 180 KiB need no zeroing.
        var array = reused
            ? reusedFrame ??= NewFrameArray()
            : NewFrameArray();
        emulator.Frame.CopyTo(array.Data);
        return array;
    }

    private static NDArray NewFrameArray() => new(DType.UInt8, [Height, Width, 3], GC.AllocateUninitializedArray<byte>(Height * Width * 3));

    public Snapshot Save() => new(emulator.SaveState(), emulator.Frame.ToArray(), pendingJoypad);

    /// <summary>Returns to <paramref name="snapshot"/>: machine state, the frame then on screen and the held joypad.</summary>
    public void Restore(Snapshot snapshot)
    {
        emulator.LoadState(snapshot.State);
        emulator.SetFrame(snapshot.Frame);
        pendingJoypad = snapshot.PendingJoypad;
    }

    public void Dispose() => emulator.Dispose();

    /// <summary>
    /// The Nestopia core: <c>ZEROGYM_NESTOPIA_CORE</c> if set, else <c>.cache/libretro/nestopia_libretro.so</c>
    /// in the checkout this program runs from (where <c>scripts/setup</c> unpacks it), else Debian's
    /// <c>libretro-nestopia</c> location.
    /// </summary>
    public static string FindCore()
    {
        string? configured = Environment.GetEnvironmentVariable(CoreEnvironmentVariable);
        if (!string.IsNullOrEmpty(configured)) return configured;
        var looked = new List<string>();
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, ".cache", "libretro", CoreFileName);
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(directory.FullName, "ZeroGym.slnx"))) looked.Add(candidate);
        }

        if (File.Exists(DebianCorePath)) return DebianCorePath;
        looked.Add(DebianCorePath);
        throw new LibretroException(
            $"no Nestopia libretro core: looked at {string.Join(" and ", looked)}; run scripts/setup or set {CoreEnvironmentVariable}");
    }

    private static ushort ToRetroJoypad(byte joypad)
    {
        if ((joypad & (NesButtons.Left | NesButtons.Right)) == (NesButtons.Left | NesButtons.Right)) joypad &= unchecked((byte)~(NesButtons.Left | NesButtons.Right));
        if ((joypad & (NesButtons.Up | NesButtons.Down)) == (NesButtons.Up | NesButtons.Down)) joypad &= unchecked((byte)~(NesButtons.Up | NesButtons.Down));
        int mask = 0;
        if ((joypad & NesButtons.A) != 0) mask |= 1 << (int)RetroJoypadButton.A;
        if ((joypad & NesButtons.B) != 0) mask |= 1 << (int)RetroJoypadButton.B;
        if ((joypad & NesButtons.Select) != 0) mask |= 1 << (int)RetroJoypadButton.Select;
        if ((joypad & NesButtons.Start) != 0) mask |= 1 << (int)RetroJoypadButton.Start;
        if ((joypad & NesButtons.Up) != 0) mask |= 1 << (int)RetroJoypadButton.Up;
        if ((joypad & NesButtons.Down) != 0) mask |= 1 << (int)RetroJoypadButton.Down;
        if ((joypad & NesButtons.Left) != 0) mask |= 1 << (int)RetroJoypadButton.Left;
        if ((joypad & NesButtons.Right) != 0) mask |= 1 << (int)RetroJoypadButton.Right;
        return (ushort)mask;
    }

    /// <summary>A saved machine state with the frame on screen and the joypad byte still to be pressed.</summary>
    public sealed record Snapshot(byte[] State, byte[] Frame, byte PendingJoypad);
}
