using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.Pendulum;

/// <summary>The Pendulum family's env ids, for the program that assembles a registry.</summary>
public static class PendulumRegistration
{
    /// <summary>Pendulum-v1.</summary>
    public static IEnumerable<EnvSpec> Specs => [PendulumEnv.Spec];
}
