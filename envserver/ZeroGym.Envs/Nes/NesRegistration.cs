using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.Nes;

/// <summary>The NES family's env ids, for the program that assembles a registry.</summary>
public static class NesRegistration
{
    /// <summary>NES-v0, SuperMarioBros-v0 and its 32 stages, finding ROMs as <paramref name="configuration"/> says.</summary>
    public static IEnumerable<EnvSpec> Specs(NesConfiguration configuration)
    {
        var roms = new RomDirectory(configuration.RomDirectory);
        return [NesEnv.CreateSpec(roms), .. SuperMarioBrosEnv.CreateSpecs(roms)];
    }
}
