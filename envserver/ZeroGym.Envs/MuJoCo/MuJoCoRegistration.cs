using ZeroGym.Envs.MuJoCo.HalfCheetah;
using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.MuJoCo;

/// <summary>The MuJoCo family's env ids, for the program that assembles a registry.</summary>
public static class MuJoCoRegistration
{
    /// <summary>HalfCheetah-v5.</summary>
    public static IEnumerable<EnvSpec> Specs => [HalfCheetahEnv.Spec];
}
