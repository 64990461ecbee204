using ZeroGym.Envs.Registration;

namespace ZeroGym.Envs.CartPole;

/// <summary>The CartPole family's env ids, for the program that assembles a registry.</summary>
public static class CartPoleRegistration
{
    /// <summary>CartPole-v1.</summary>
    public static IEnumerable<EnvSpec> Specs => [CartPoleEnv.Spec];
}
