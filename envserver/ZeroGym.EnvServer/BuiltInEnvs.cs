using ZeroGym.Envs.Acrobot;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.MountainCar;
using ZeroGym.Envs.MuJoCo;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Pendulum;
using ZeroGym.Envs.Registration;

namespace ZeroGym.EnvServer;

/// <summary>
/// The envs this project ships, assembled where the program is: <c>Program.cs</c> builds the server's registry here,
/// and so do the tests and benchmarks. Each family lists its own specs; only this class names them all.
/// </summary>
public static class BuiltInEnvs
{
    /// <summary>The server option that sets <see cref="NesConfiguration.RomDirectory"/>.</summary>
    public const string RomDirectoryOption = "--rom-dir";

    /// <summary>A registry with every env this project ships.</summary>
    /// <param name="nes">The NES family's configuration; null is the default (ROMs from <c>ZEROGYM_ROM_DIR</c>).</param>
    public static EnvRegistry CreateRegistry(NesConfiguration? nes = null)
    {
        var registry = new EnvRegistry();
        registry.Register(CartPoleRegistration.Specs);
        registry.Register(PendulumRegistration.Specs);
        registry.Register(AcrobotRegistration.Specs);
        registry.Register(MountainCarRegistration.Specs);
        registry.Register(MuJoCoRegistration.Specs);
        registry.Register(NesRegistration.Specs(nes ?? new NesConfiguration()));
        return registry;
    }

    /// <summary>
    /// The arguments a worker process needs to build its registry as <see cref="CreateRegistry"/> built the parent's
    /// (<see cref="ServerOptions.WorkerArguments"/>): <c>--rom-dir DIR</c> when a ROM directory was given. Without one
    /// the worker reads <c>ZEROGYM_ROM_DIR</c>, which it inherits, as the parent does.
    /// </summary>
    public static IReadOnlyList<string> WorkerArguments(NesConfiguration? nes) =>
        nes?.RomDirectory is string directory ? [RomDirectoryOption, directory] : [];
}
