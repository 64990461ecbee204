using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.Acrobot;

/// <summary>The Acrobot family's env ids, for the program that assembles a registry.</summary>
public static class AcrobotRegistration
{
    /// <summary>Acrobot-v1.</summary>
    public static IEnumerable<EnvSpec> Specs => [AcrobotEnv.Spec];
}
