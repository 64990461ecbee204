using System.Diagnostics;
using ZeroGym.Envs.Nes;

namespace ZeroGym.Tests.Envs.Nes;

/// <summary>
/// The test ROMs of tests/roms, assembled with ca65/ld65 on first use into the test output folder (never into
/// the source tree), once per test run.
/// </summary>
internal static class TestRoms
{
    /// <summary>tests/roms/joypad.s: the screen colour follows the highest button held; RAM $20 holds the joypad.</summary>
    public const string Joypad = "joypad";

    /// <summary>tests/roms/mario_like.s: Super Mario Bros' RAM layout on a straight one-screen level.</summary>
    public const string MarioLike = "mario_like";

    /// <summary>RAM address where both ROMs keep the joypad byte they read (nes-py's layout).</summary>
    public const int ButtonsAddress = 0x20;

    /// <summary>RAM address of the frame counter both ROMs increment once per frame.</summary>
    public const int FramesAddress = 0x21;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, string> Built = [];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The path of the assembled .nes file.</summary>
    public static string Path(string name)
    {
        lock (Gate)
        {
            if (Built.TryGetValue(name, out string? built)) return built;
            string output = Directory.CreateDirectory(System.IO.Path.Combine(AppContext.BaseDirectory, "test-roms")).FullName;
            string source = System.IO.Path.Combine(RepositoryRoot, "tests", "roms");
            string objectFile = System.IO.Path.Combine(output, name + ".o");
            string rom = System.IO.Path.Combine(output, name + ".nes");
            Run("ca65", "-I", source, System.IO.Path.Combine(source, name + ".s"), "-o", objectFile);
            Run("ld65", "-C", System.IO.Path.Combine(source, "nrom.cfg"), objectFile, "-o", rom);
            Built[name] = rom;
            return rom;
        }
    }

    public static NesRom Rom(string name) => NesRom.Parse(name + ".nes", File.ReadAllBytes(Path(name)));

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {errors}");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ZeroGym.slnx"))) return directory.FullName;
        }

        throw new InvalidOperationException($"no ZeroGym.slnx above {AppContext.BaseDirectory}");
    }
}
