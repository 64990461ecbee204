using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using ZeroGym.Envs.Interop.Libretro;

namespace ZeroGym.Envs.Nes;

/// <summary>
/// One game running in its own copy of a libretro core: frames as packed RGB (3 bytes a pixel), the joypad of
/// port 0 as a mask of <see cref="RetroJoypadButton"/> bits, system RAM, save states.
/// </summary>
/// <remarks>
/// <para>The core's callbacks are plain C functions without a context argument, so they find their emulator
/// through <see cref="current"/>, set around every call into the core on the calling thread. One emulator is
/// used by one thread at a time, as every env is.</para>
/// <para>A core that crashes (a segmentation fault inside the native code) still takes the whole process down:
/// only worker processes would isolate that.</para>
/// </remarks>
public sealed unsafe class LibretroEmulator : IDisposable
{
    [ThreadStatic]
    private static LibretroEmulator? current;

    private readonly string privateDirectory;
    private readonly LibretroLibraryHandle library;
    private readonly LibretroFunctions core;
    private readonly Dictionary<string, nint> optionValues = new(StringComparer.Ordinal);
    private readonly nint systemDirectoryUtf8;
    private readonly nint saveDirectoryUtf8;
    private byte[] frame = [];
    private byte* ram;
    private bool gameLoaded;
    private bool initialized;
    private bool disposed;
    private string? lastCoreError;

    /// <summary>
    /// Loads a private copy of <paramref name="corePath"/> and starts <paramref name="game"/> on it with a
    /// joypad in port 0. <paramref name="options"/> answer the core's option queries (for Nestopia
    /// <c>nestopia_palette</c> and the like); <paramref name="systemFiles"/> are written into the system
    /// directory the core reads (for example a <c>custom.pal</c>) before the game loads.
    /// </summary>
    /// <exception cref="LibretroException">The core cannot be loaded or refuses the game.</exception>
    public LibretroEmulator(
        string corePath,
        ReadOnlySpan<byte> game,
        string gameName,
        IReadOnlyDictionary<string, string>? options = null,
        IReadOnlyDictionary<string, byte[]>? systemFiles = null)
    {
        privateDirectory = Directory.CreateTempSubdirectory("zerogym-libretro-").FullName;
        string systemDirectory = Directory.CreateDirectory(Path.Combine(privateDirectory, "system")).FullName;
        string saveDirectory = Directory.CreateDirectory(Path.Combine(privateDirectory, "saves")).FullName;
        foreach (var (name, content) in systemFiles ?? new Dictionary<string, byte[]>())
        {
            File.WriteAllBytes(Path.Combine(systemDirectory, name), content);
        }

        systemDirectoryUtf8 = Marshal.StringToCoTaskMemUTF8(systemDirectory);
        saveDirectoryUtf8 = Marshal.StringToCoTaskMemUTF8(saveDirectory);
        foreach (var (key, value) in options ?? new Dictionary<string, string>())
        {
            optionValues[key] = Marshal.StringToCoTaskMemUTF8(value);
        }

        try
        {
            library = LibretroLibraryHandle.LoadPrivateCopy(corePath, privateDirectory);
            core = new LibretroFunctions(library);
            Start(game, gameName);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The temporary directory of this emulator's system and save files, removed by <see cref="Dispose"/>.</summary>
    internal string PrivateDirectory => privateDirectory;

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Frames per second the core emulates (60.0988 for an NTSC NES).</summary>
    public double Fps { get; private set; }

    /// <summary>The last frame the core drew, packed RGB rows of <see cref="Width"/> pixels; black before the first.</summary>
    public ReadOnlySpan<byte> Frame => frame;

    /// <summary>The console's system RAM, live and writable (2 KiB on the NES).</summary>
    public Span<byte> Ram
    {
        get
        {
            ThrowIfDisposed();
            return new Span<byte>(ram, RamSize);
        }
    }

    public int RamSize { get; private set; }

    /// <summary>Bytes of one save state, asked once: Nestopia computes it by making a whole save.</summary>
    public int StateSize { get; private set; }

    /// <summary>Buttons held on port 0 during the following frames: bits of <see cref="RetroJoypadButton"/>.</summary>
    public ushort Joypad { get; set; }

    /// <summary>Emulates one frame with <see cref="Joypad"/> held.</summary>
    public void RunFrame()
    {
        ThrowIfDisposed();
        using (Enter()) core.Run();
    }

    /// <summary>Writes the whole machine state into <paramref name="state"/> (<see cref="StateSize"/> bytes).</summary>
    public void SaveState(Span<byte> state)
    {
        ThrowIfDisposed();
        if (state.Length != StateSize) throw new ArgumentException($"a save state is {StateSize} bytes; got a buffer of {state.Length}", nameof(state));
        using var call = Enter();
        fixed (byte* data = state)
        {
            if (core.Serialize(data, (nuint)state.Length) == 0) throw new LibretroException($"the libretro core failed to save its state{CoreErrorSuffix()}");
        }
    }

    public byte[] SaveState()
    {
        var state = new byte[StateSize];
        SaveState(state);
        return state;
    }

    /// <summary>Restores a state made by <see cref="SaveState(Span{byte})"/>; the frame is not part of it.</summary>
    public void LoadState(ReadOnlySpan<byte> state)
    {
        ThrowIfDisposed();
        if (state.Length != StateSize) throw new ArgumentException($"a save state is {StateSize} bytes; got {state.Length}", nameof(state));
        using var call = Enter();
        fixed (byte* data = state)
        {
            if (core.Unserialize(data, (nuint)state.Length) == 0) throw new LibretroException($"the libretro core refused the save state{CoreErrorSuffix()}");
        }
    }

    /// <summary>Replaces the frame <see cref="Frame"/> shows, as after restoring a state saved with it.</summary>
    public void SetFrame(ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length != frame.Length) throw new ArgumentException($"a frame is {frame.Length} bytes; got {rgb.Length}", nameof(rgb));
        rgb.CopyTo(frame);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (library is { IsInvalid: false, IsClosed: false } && core is not null)
        {
            using var call = Enter();
            if (gameLoaded) core.UnloadGame();
            if (initialized) core.Deinit();
        }

        library?.Dispose();
        ram = null;
        foreach (nint value in optionValues.Values) Marshal.FreeCoTaskMem(value);
        Marshal.FreeCoTaskMem(systemDirectoryUtf8);
        Marshal.FreeCoTaskMem(saveDirectoryUtf8);
        try
        {
            Directory.Delete(privateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless; failing Dispose over it would not be.
        }
    }

    private void Start(ReadOnlySpan<byte> game, string gameName)
    {
        uint version = core.ApiVersion();
        if (version != LibretroConstants.ApiVersion)
        {
            throw new LibretroException($"the libretro core speaks API version {version}; this frontend speaks {LibretroConstants.ApiVersion}");
        }

        using var call = Enter();
        core.SetEnvironment((nint)(delegate* unmanaged<uint, void*, byte>)&OnEnvironment);
        core.SetVideoRefresh((nint)(delegate* unmanaged<void*, uint, uint, nuint, void>)&OnVideoRefresh);
        core.SetAudioSample((nint)(delegate* unmanaged<short, short, void>)&OnAudioSample);
        core.SetAudioSampleBatch((nint)(delegate* unmanaged<short*, nuint, nuint>)&OnAudioSampleBatch);
        core.SetInputPoll((nint)(delegate* unmanaged<void>)&OnInputPoll);
        core.SetInputState((nint)(delegate* unmanaged<uint, uint, uint, uint, short>)&OnInputState);
        core.Init();
        initialized = true;

        byte[] pathUtf8 = Encoding.UTF8.GetBytes(gameName + "\0");
        fixed (byte* data = game)
        fixed (byte* path = pathUtf8)
        {
            var info = new RetroGameInfo { Path = path, Data = data, Size = (nuint)game.Length, Meta = null };
            if (core.LoadGame(&info) == 0)
            {
                throw new LibretroException($"the libretro core refused the game '{gameName}' ({game.Length} bytes){CoreErrorSuffix()}");
            }
        }

        gameLoaded = true;
        core.SetControllerPortDevice(0, LibretroConstants.DeviceJoypad);

        RetroSystemAvInfo av;
        core.GetSystemAvInfo(&av);
        Width = (int)av.BaseWidth;
        Height = (int)av.BaseHeight;
        Fps = av.Fps;
        frame = new byte[Width * Height * 3];

        ram = (byte*)core.GetMemoryData(LibretroConstants.MemorySystemRam);
        RamSize = (int)core.GetMemorySize(LibretroConstants.MemorySystemRam);
        if (ram is null || RamSize == 0) throw new LibretroException("the libretro core exposes no system RAM");

        StateSize = (int)core.SerializeSize();
        if (StateSize == 0) throw new LibretroException($"the libretro core cannot save states for '{gameName}'");
    }

    /// <summary>Makes this emulator the one the callbacks see until the returned scope ends.</summary>
    private CoreCall Enter()
    {
        var previous = current;
        current = this;
        return new CoreCall(previous);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    private string CoreErrorSuffix() => lastCoreError is null ? "" : $": {lastCoreError}";

    /// <summary>Puts back the emulator the callbacks saw before (emulators may nest on one thread).</summary>
    private readonly ref struct CoreCall(LibretroEmulator? previous)
    {
        public void Dispose() => current = previous;
    }

    // The core's callbacks. None may throw: an exception cannot unwind through native frames.

    [UnmanagedCallersOnly]
    private static byte OnEnvironment(uint command, void* data)
    {
        var emulator = current;
        if (emulator is null) return 0;
        switch (command)
        {
            case LibretroConstants.EnvironmentSetPixelFormat:
                return *(int*)data == LibretroConstants.PixelFormatXrgb8888 ? (byte)1 : (byte)0;
            case LibretroConstants.EnvironmentGetSystemDirectory:
                *(nint*)data = emulator.systemDirectoryUtf8;
                return 1;
            case LibretroConstants.EnvironmentGetSaveDirectory:
                *(nint*)data = emulator.saveDirectoryUtf8;
                return 1;
            case LibretroConstants.EnvironmentGetVariable:
                {
                    var variable = (RetroVariable*)data;
                    string key = Marshal.PtrToStringUTF8((nint)variable->Key) ?? "";
                    if (emulator.optionValues.TryGetValue(key, out nint value))
                    {
                        variable->Value = (byte*)value;
                        return 1;
                    }

                    variable->Value = null;
                    return 0;
                }
            case LibretroConstants.EnvironmentGetVariableUpdate:
                *(byte*)data = 0;
                return 1;
            case LibretroConstants.EnvironmentGetInputBitmasks:
                return 1;
            case LibretroConstants.EnvironmentGetLogInterface:
                *(nint*)data = (nint)(delegate* unmanaged<int, byte*, void>)&OnLog;
                return 1;
            default:
                return 0;
        }
    }

    /// <summary>
    /// retro_log_printf_t is variadic; on x86-64 System V a fixed-argument function receives its first two
    /// arguments the same way, so the format string is kept unformatted.
    /// </summary>
    [UnmanagedCallersOnly]
    private static void OnLog(int level, byte* format)
    {
        if (level >= LibretroConstants.LogError && current is { } emulator)
        {
            emulator.lastCoreError = Marshal.PtrToStringUTF8((nint)format)?.Trim();
        }
    }

    [UnmanagedCallersOnly]
    private static void OnVideoRefresh(void* data, uint width, uint height, nuint pitch)
    {
        var emulator = current;
        // NULL data repeats the previous frame; a size other than the announced one is ignored, never overrun.
        if (emulator is null || data is null || width != emulator.Width || height != emulator.Height) return;
        fixed (byte* rgb = emulator.frame)
        {
            ConvertXrgb8888ToRgb((byte*)data, rgb, (int)width, (int)height, (int)pitch);
        }
    }

    // Picks R, G, B of four little-endian XRGB8888 pixels (bytes B, G, R, X) into 12 bytes; the last 4 are unused.
    private static readonly Vector128<byte> XrgbToRgbShuffle = Vector128.Create((byte)2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0x80, 0x80, 0x80, 0x80);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvertXrgb8888ToRgb(byte* source, byte* destination, int width, int height, int pitch)
    {
        for (int y = 0; y < height; y++)
        {
            byte* row = source + (nint)y * pitch;
            byte* output = destination + (nint)y * width * 3;
            // Four pixels per shuffle; each 16-byte store spills 4 bytes into the next pixel's slot, rewritten right
            // after, so the frame's last four pixels go one by one to stay inside the buffer.
            int vectorEnd = y == height - 1 ? width - 4 : width;
            int x = 0;
            for (; x + 4 <= vectorEnd; x += 4)
            {
                var pixels = Vector128.Load(row + x * 4);
                // pshufb directly: Vector128.Shuffle with a mask that is not a literal may not compile to it.
                (Ssse3.IsSupported ? Ssse3.Shuffle(pixels, XrgbToRgbShuffle) : Vector128.Shuffle(pixels, XrgbToRgbShuffle)).Store(output + x * 3);
            }

            for (; x < width; x++)
            {
                uint pixel = ((uint*)row)[x];
                output[x * 3] = (byte)(pixel >> 16);
                output[x * 3 + 1] = (byte)(pixel >> 8);
                output[x * 3 + 2] = (byte)pixel;
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void OnAudioSample(short left, short right)
    {
    }

    [UnmanagedCallersOnly]
    private static nuint OnAudioSampleBatch(short* data, nuint frames) => frames;

    [UnmanagedCallersOnly]
    private static void OnInputPoll()
    {
    }

    [UnmanagedCallersOnly]
    private static short OnInputState(uint port, uint device, uint index, uint id)
    {
        var emulator = current;
        if (emulator is null || port != 0 || device != LibretroConstants.DeviceJoypad || index != 0) return 0;
        if (id == LibretroConstants.JoypadMaskId) return (short)emulator.Joypad;
        return id < 16 ? (short)((emulator.Joypad >> (int)id) & 1) : (short)0;
    }
}
