using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.MountainCar;

/// <summary>The Mountain Car family's env ids, for the program that assembles a registry.</summary>
public static class MountainCarRegistration
{
    /// <summary>MountainCar-v0 and MountainCarContinuous-v0.</summary>
    public static IEnumerable<EnvSpec> Specs => [MountainCarEnv.Spec, MountainCarContinuousEnv.Spec];
}
