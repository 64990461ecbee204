using ZeroGym.Envs.Acrobot;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.MountainCar;
using ZeroGym.Envs.MuJoCo;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Pendulum;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Tests.Envs.Nes;

namespace ZeroGym.Tests.Envs;

/// <summary>Each env family lists its own specs; the server's composition root assembles them into one registry.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void BuiltInRegistry_HoldsExactlyTheSpecsOfEveryFamily()
    {
        var families = CartPoleRegistration.Specs
            .Concat(PendulumRegistration.Specs)
            .Concat(AcrobotRegistration.Specs)
            .Concat(MountainCarRegistration.Specs)
            .Concat(MuJoCoRegistration.Specs)
            .Concat(NesRegistration.Specs(new NesConfiguration()))
            .Select(spec => spec.Id)
            .Order(StringComparer.Ordinal);

        var registered = BuiltInEnvs.CreateRegistry().Specs.Select(spec => spec.Id).Order(StringComparer.Ordinal);

        Assert.Equal(families, registered);
        Assert.Equal(7 + 33, registered.Count());
    }

    [Fact]
    public void Register_AFamilyWhoseIdIsTaken_NamesTheId()
    {
        var registry = new EnvRegistry();
        registry.Register(CartPoleRegistration.Specs);

        var error = Assert.Throws<ArgumentException>(() => registry.Register(CartPoleRegistration.Specs));
        Assert.Equal("env id 'CartPole-v1' is already registered", error.Message);
    }

    [Fact]
    public void NesSpecs_FindRomsInTheConfiguredDirectory()
    {
        string folder = Path.GetDirectoryName(TestRoms.Path(TestRoms.Joypad))!;
        var spec = NesRegistration.Specs(new NesConfiguration(folder)).Single(spec => spec.Id == "NES-v0");

        using var env = spec.Make(new Dictionary<string, object?> { [NesEnv.RomKwarg] = TestRoms.Joypad + ".nes" });
        Assert.Equal(NesEnv.ScreenSpace, env.ObservationSpace);
    }

    [Fact]
    public void WorkerArguments_PassTheRomDirectory_OnlyWhenOneIsGiven()
    {
        Assert.Equal(["--rom-dir", "/srv/roms"], BuiltInEnvs.WorkerArguments(new NesConfiguration("/srv/roms")));
        // Without one, a worker reads ZEROGYM_ROM_DIR from the environment it inherits, as its parent does.
        Assert.Empty(BuiltInEnvs.WorkerArguments(new NesConfiguration()));
        Assert.Empty(BuiltInEnvs.WorkerArguments(null));
    }
}
