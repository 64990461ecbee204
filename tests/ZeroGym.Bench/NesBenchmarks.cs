using ZeroGym.Envs.Interop.Libretro;
using ZeroGym.Envs.Nes;

namespace ZeroGym.Bench;

/// <summary>The NES emulator alone and NES-v0 in-process, on a test ROM scripts/bench assembles.</summary>
internal static class NesBenchmarks
{
    /// <summary>Frames per second of the bare core (one thread), and NES-v0 steps (frame + RGB observation).</summary>
    public static void Run(string romPath, double seconds)
    {
        byte[] rom = File.ReadAllBytes(romPath);
        using (var emulator = new LibretroEmulator(NesConsole.FindCore(), rom, Path.GetFileName(romPath)))
        {
            long frames = 0;
            Measure.Print(Measure.Throughput("nestopia raw frame", seconds, () =>
            {
                emulator.Joypad = (ushort)((frames++ >> 4) & 0xFF);
                emulator.RunFrame();
            }, batch: 100));
        }

        using var env = NesEnv.CreateSpec(new RomDirectory()).Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = Path.GetFullPath(romPath) });
        env.Reset();
        long steps = 0;
        Measure.Print(Measure.Throughput("in-process NES-v0 step", seconds, () => env.Step((steps++ >> 4) & 0xFF), batch: 100));
    }
}
