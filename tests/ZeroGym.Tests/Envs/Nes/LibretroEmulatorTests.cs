using ZeroGym.Envs.Interop.Libretro;
using ZeroGym.Envs.Nes;

namespace ZeroGym.Tests.Envs.Nes;

public sealed class LibretroEmulatorTests
{
    private const int RightMask = 1 << (int)RetroJoypadButton.Right;

    private static LibretroEmulator Load(string rom = TestRoms.Joypad) =>
        new(NesConsole.FindCore(), File.ReadAllBytes(TestRoms.Path(rom)), rom + ".nes");

    [Fact]
    public void Load_TestRom_Gives256x240FramesAnd2KiBOfRam()
    {
        using var emulator = Load();

        Assert.Equal(256, emulator.Width);
        Assert.Equal(240, emulator.Height);
        Assert.Equal(256 * 240 * 3, emulator.Frame.Length);
        Assert.Equal(2048, emulator.RamSize);
        Assert.InRange(emulator.Fps, 60.0, 60.2);
        Assert.True(emulator.StateSize > 2048);
    }

    [Fact]
    public void RunFrame_AdvancesTheGameAndDrawsItsBackdrop()
    {
        using var emulator = Load();
        for (int i = 0; i < 10; i++) emulator.RunFrame();

        Assert.InRange(emulator.Ram[TestRoms.FramesAddress], 5, 10);
        // Nothing held: the ROM shows palette colour $21 everywhere (Nestopia's default palette: some light blue).
        var frame = emulator.Frame;
        Assert.True(frame[2] > frame[0], $"expected a blue backdrop; got RGB {frame[0]},{frame[1]},{frame[2]}");
        Assert.True(frame[..(256 * 3)].SequenceEqual(frame[(239 * 256 * 3)..]), "the first and last rows differ");
    }

    [Fact]
    public void Joypad_ReachesTheGameInNesPyBitOrder()
    {
        using var emulator = Load();
        for (int i = 0; i < 5; i++) emulator.RunFrame();
        byte[] before = emulator.Frame.ToArray();

        emulator.Joypad = RightMask | (1 << (int)RetroJoypadButton.A);
        for (int i = 0; i < 3; i++) emulator.RunFrame();

        Assert.Equal(NesButtons.Right | NesButtons.A, emulator.Ram[TestRoms.ButtonsAddress]);
        Assert.False(before.AsSpan().SequenceEqual(emulator.Frame), "holding Right did not change the frame");
    }

    [Fact]
    public void Ram_WritesReachTheRunningGame()
    {
        using var emulator = Load();
        for (int i = 0; i < 5; i++) emulator.RunFrame(); // past the ROM's start-up, which clears RAM
        emulator.Ram[TestRoms.FramesAddress] = 100;
        emulator.RunFrame();

        Assert.Equal(101, emulator.Ram[TestRoms.FramesAddress]);
    }

    [Fact]
    public void LoadState_ReturnsToTheSavedMachine()
    {
        using var emulator = Load();
        for (int i = 0; i < 20; i++) emulator.RunFrame();
        byte[] state = emulator.SaveState();
        byte[] ram = emulator.Ram.ToArray();

        emulator.Joypad = RightMask;
        for (int i = 0; i < 30; i++) emulator.RunFrame();
        Assert.False(ram.AsSpan().SequenceEqual(emulator.Ram));

        emulator.LoadState(state);
        Assert.True(ram.AsSpan().SequenceEqual(emulator.Ram), "RAM differs after loading the state");

        // Same inputs from the same state give the same machine.
        emulator.Joypad = 0;
        for (int i = 0; i < 5; i++) emulator.RunFrame();
        byte[] first = emulator.SaveState();
        emulator.LoadState(state);
        for (int i = 0; i < 5; i++) emulator.RunFrame();
        Assert.Equal(first, emulator.SaveState());
    }

    [Fact]
    public void TwoEmulators_InOneProcess_AreIndependent()
    {
        using var first = Load();
        using var second = Load();
        first.Joypad = RightMask;
        for (int i = 0; i < 12; i++) first.RunFrame();
        for (int i = 0; i < 3; i++) second.RunFrame();

        Assert.InRange(first.Ram[TestRoms.FramesAddress], 7, 12);
        Assert.InRange(second.Ram[TestRoms.FramesAddress], 0, 3);
        Assert.Equal(NesButtons.Right, first.Ram[TestRoms.ButtonsAddress]);
        Assert.Equal(0, second.Ram[TestRoms.ButtonsAddress]);
        Assert.False(first.Frame.SequenceEqual(second.Frame), "the two screens should show different colours");
    }

    [Fact]
    public void LoadState_OfTheWrongSize_Throws()
    {
        using var emulator = Load();

        var error = Assert.Throws<ArgumentException>(() => emulator.LoadState(new byte[10]));
        Assert.Contains($"{emulator.StateSize} bytes", error.Message);
    }

    [Fact]
    public void Load_NotAGame_ThrowsLibretroException()
    {
        var error = Assert.Throws<LibretroException>(() => new LibretroEmulator(NesConsole.FindCore(), new byte[100], "garbage.nes"));

        Assert.Contains("refused the game 'garbage.nes'", error.Message);
    }

    [Fact]
    public void Load_ACoreThatIsNotALibrary_ThrowsLibretroException()
    {
        string fake = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"zerogym-fake-core-{Guid.NewGuid():N}.so");
        File.WriteAllText(fake, "not an ELF file");
        try
        {
            var error = Assert.Throws<LibretroException>(() => new LibretroEmulator(fake, File.ReadAllBytes(TestRoms.Path(TestRoms.Joypad)), "joypad.nes"));
            Assert.Contains("cannot load the libretro core", error.Message);
        }
        finally
        {
            File.Delete(fake);
        }
    }

    [Fact]
    public void Load_AMissingCore_ThrowsLibretroExceptionNamingIt()
    {
        var error = Assert.Throws<LibretroException>(() => new LibretroEmulator("/nonexistent/core.so", [], "x.nes"));

        Assert.Contains("/nonexistent/core.so", error.Message);
    }

    [Fact]
    public void Dispose_RemovesThePrivateCopy()
    {
        var emulator = Load();
        string directory = emulator.PrivateDirectory;
        Assert.True(Directory.Exists(directory));
        // The core's copy was deleted as soon as it was loaded: only the system and save folders remain.
        Assert.Empty(Directory.GetFiles(directory));

        emulator.Dispose();
        Assert.False(Directory.Exists(directory));
        Assert.Throws<ObjectDisposedException>(() => emulator.RunFrame());
    }
}
