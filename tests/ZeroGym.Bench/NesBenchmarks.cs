using ZeroGym.Envs.Nes;

namespace ZeroGym.Bench;

/// <summary>The NES emulator alone and NES-v0 in-process, on a test ROM scripts/bench assembles.</summary>
internal static class NesBenchmarks
{
    /// <summary>
    /// Frames per second of the console alone (one thread; the core with the envs' options, through the C# frontend),
    /// and NES-v0 steps (frame + RGB observation).
    /// </summary>
    public static void Run(string romPath, double seconds)
    {
        using (var console = new NesConsole(NesRom.Parse(Path.GetFileName(romPath), File.ReadAllBytes(romPath))))
        {
            long frames = 0;
            Measure.Print(Measure.Throughput("nestopia raw frame", seconds, () => console.FrameAdvance((byte)((frames++ >> 4) & 0xFF)), batch: 100));
        }

        using (var env = NesEnv.CreateSpec(new RomDirectory()).Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = Path.GetFullPath(romPath) }))
        {
            env.Reset();
            long steps = 0;
            Measure.Print(Measure.Throughput("in-process NES-v0 step", seconds, () => env.Step((steps++ >> 4) & 0xFF), batch: 100));
        }

        // Seed 002's chain: 4 frames per step, grayscale, 84x84, a stack of 4 (uint8 4x84x84).
        using var wrapped = NesEnv.CreateSpec(new RomDirectory()).Make(MarioKwargs(romPath));
        wrapped.Reset();
        long wrappedSteps = 0;
        Measure.Print(Measure.Throughput("in-process NES-v0 mario-wrapped step", seconds, () => wrapped.Step((wrappedSteps++ >> 2) & 0xFF), batch: 25));
    }

    /// <summary>The wrapped env through the C# client: one env, then a vector env of <paramref name="numEnvs"/>.</summary>
    public static void Remote(string serverAddress, string romPath, double seconds, int numEnvs)
    {
        using (var env = RemoteEnv.Make(NesEnvId, serverAddress, MarioKwargs(romPath)))
        {
            env.Reset();
            long steps = 0;
            Measure.Print(Measure.Latency("c# NES-v0 mario-wrapped step", seconds, () => env.Step((steps++ >> 2) & 0xFF)));
        }

        using var envs = RemoteVectorEnv.Make(NesEnvId, numEnvs, serverAddress, MarioKwargs(romPath));
        envs.Reset();
        long calls = 0;
        Measure.Print(Measure.Latency($"c# NES-v0 mario-wrapped vector {numEnvs} envs", seconds,
            () => envs.Step(ZeroGym.Arrays.NDArray.From(Enumerable.Repeat((calls++ >> 2) & 0xFF, numEnvs).ToArray())), itemsPerCall: numEnvs));
    }

    private const string NesEnvId = "NES-v0";

    private static Dictionary<string, object?> MarioKwargs(string romPath) =>
        new() { [NesEnv.RomKwarg] = Path.GetFullPath(romPath), ["wrappers"] = "mario" };
}
