using ZeroGym.Arrays;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;
using ZeroGym.Tests.Server;

namespace ZeroGym.Tests.Envs.Nes;

/// <summary>The NES envs through a real server and the C# client.</summary>
public sealed class NesServerTests
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static string RomFolder => Path.GetDirectoryName(TestRoms.Path(TestRoms.Joypad))!;

    /// <summary>An env whose emulator cannot start: the core path leads nowhere.</summary>
    private static readonly EnvSpec BrokenCore = new(
        Id: "BrokenNes-v0",
        Create: (_, renderMode) => new NesEnv(new NesConsole(TestRoms.Rom(TestRoms.Joypad), corePath: "/nonexistent/nestopia_libretro.so"), renderMode),
        Kwargs: new Dictionary<string, object?>(),
        MaxEpisodeSteps: null,
        RewardThreshold: null,
        RenderModes: [],
        RenderFps: 60,
        Description: "NES-v0 with a missing core, to test emulator failures");

    private static TestServer Start()
    {
        var nes = new NesConfiguration(RomFolder);
        var registry = BuiltInEnvs.CreateRegistry(nes);
        registry.Register(BrokenCore);
        return new TestServer(new ServerOptions { WorkerArguments = BuiltInEnvs.WorkerArguments(nes) }, registry);
    }

    [Fact]
    public void NesV0_MakeResetStep_ByRomNameInTheRomDirectory()
    {
        using var server = Start();
        using var env = RemoteEnv.Make("NES-v0", server.Address, new Dictionary<string, object?> { ["rom"] = "joypad.nes" }, "rgb_array", Quick);

        Assert.Equal(new Discrete(256), env.ActionSpace);
        Assert.Equal([240, 256, 3], Assert.IsType<Box>(env.ObservationSpace).Shape);
        env.Reset();
        for (int i = 0; i < 8; i++) env.Step((long)NesButtons.Down);
        var frame = (NDArray)env.Step((long)NesButtons.Down).Observation;
        Assert.Equal(NesPalette.NesPy(0x2A), (frame.Data[0], frame.Data[1], frame.Data[2]));
    }

    [Fact]
    public void NesV0_WithAMissingRom_IsInvalidArgumentNamingIt()
    {
        using var server = Start();

        var error = Assert.Throws<ZeroGymException>(() => RemoteEnv.Make("NES-v0", server.Address, new Dictionary<string, object?> { ["rom"] = "metroid.nes" }, options: Quick));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("'metroid.nes'", error.Message);
        Assert.Contains(RomFolder, error.Message);
    }

    [Fact]
    public void Mario_WithoutTheRealRom_IsInvalidArgument_AndTheServerGoesOn()
    {
        using var server = Start();

        var error = Assert.Throws<ZeroGymException>(() => RemoteEnv.Make("SuperMarioBros-1-1-v0", server.Address, options: Quick));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains(SuperMarioBrosEnv.RomSha1, error.Message);
        using var other = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
        other.Reset();
    }

    [Fact]
    public void AnEmulatorProcessThatCrashes_IsEnvFailure_ForThatEnvOnly_AndTheServerGoesOn()
    {
        using var server = Start();
        var joypad = new Dictionary<string, object?> { ["rom"] = "joypad.nes" };
        using var doomed = RemoteEnv.Make("NES-v0", server.Address, joypad, options: Quick);
        using var survivor = RemoteEnv.Make("NES-v0", server.Address, joypad, options: Quick);
        using var cartPole = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick);
        doomed.Reset();
        survivor.Reset();
        cartPole.Reset(seed: 1);
        int worker = WorkerOf(server, doomed.Handle);

        // As a crash in the emulator core ends its process (.NET ignores a SIGSEGV sent from outside, so SIGKILL plays it).
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", worker.ToString()])) kill.WaitForExit();

        var error = Assert.Throws<ZeroGymException>(() => doomed.Step(0L));
        Assert.Equal(ErrorCodes.EnvFailure, error.Code);
        Assert.Contains($"its worker process (pid {worker}) ended during 'step' with signal 9 (SIGKILL)", error.Message);
        survivor.Step((long)NesButtons.Right);
        cartPole.Step(1L);
        doomed.Dispose();
        using var again = RemoteEnv.Make("NES-v0", server.Address, joypad, options: Quick);
        again.Reset();
        again.Step(0L);
        Assert.NotEqual(worker, WorkerOf(server, again.Handle));
    }

    [Fact]
    public void AVectorOfNesEnvs_RunsOneWorkerProcessPerSubEnv_AndClosingEndsThem()
    {
        using var server = Start();
        var envs = RemoteVectorEnv.Make("NES-v0", 3, server.Address, new Dictionary<string, object?> { ["rom"] = "joypad.nes", ["wrappers"] = "mario" }, options: Quick);
        envs.Reset(seed: 0);
        envs.Step(NDArray.From(new long[] { 0, 1, 2 }, 3));
        var pids = WorkersOf(server, envs.Handle);

        envs.Dispose();

        Assert.Equal(3, pids.Distinct().Count());
        Assert.All(pids, pid => Assert.True(HasEnded(pid), $"worker {pid} still runs after its env was closed"));
    }

    /// <summary>The worker pids the server logged when it made <paramref name="handle"/>.</summary>
    private static int[] WorkersOf(TestServer server, long handle)
    {
        string line = server.Log.ToString().Split('\n').Single(line => line.Contains("event=env_made") && line.Contains($" handle={handle} "));
        string pids = line[(line.IndexOf("worker_pids=", StringComparison.Ordinal) + "worker_pids=".Length)..].Split(' ')[0];
        return [.. pids.Split(',').Select(int.Parse)];
    }

    private static int WorkerOf(TestServer server, long handle) => Assert.Single(WorkersOf(server, handle));

    private static bool HasEnded(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Fact]
    public void AnEmulatorThatCannotStart_IsEnvFailure_ForThatEnvOnly()
    {
        using var server = Start();

        var error = Assert.Throws<ZeroGymException>(() => RemoteEnv.Make("BrokenNes-v0", server.Address, options: Quick));
        Assert.Equal(ErrorCodes.EnvFailure, error.Code);
        Assert.Contains("/nonexistent/nestopia_libretro.so", error.Message);
        using var nes = RemoteEnv.Make("NES-v0", server.Address, new Dictionary<string, object?> { ["rom"] = "joypad.nes" }, options: Quick);
        nes.Reset();
        nes.Step(0L);
    }

    [Fact]
    public void Mario_Kwargs_ListActionsCrossTheWire()
    {
        using var server = Start();

        // The actions kwarg is checked before the ROM is looked for: a bad list is named as such.
        var error = Assert.Throws<ZeroGymException>(() => RemoteEnv.Make("SuperMarioBros-v0", server.Address,
            new Dictionary<string, object?> { ["actions"] = new object?[] { new object?[] { "right", "turbo" } } }, options: Quick));
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("unknown button 'turbo'", error.Message);
    }
}
