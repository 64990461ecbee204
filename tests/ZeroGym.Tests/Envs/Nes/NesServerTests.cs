using ZeroGym.Envs.Core;
using ZeroGym.Envs.Nes;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Protocol.Spaces;
using ZeroGym.Protocol.Wire;
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
        var registry = EnvRegistry.CreateDefault(RomFolder);
        registry.Register(BrokenCore);
        return new TestServer(registry: registry);
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
