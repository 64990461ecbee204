using ZeroGym.Envs.Registration;

namespace OwnProcessEnvs;

/// <summary>The envs of this assembly, found by the server through <see cref="IEnvFamily"/>.</summary>
public sealed class OwnProcessEnvFamily : IEnvFamily
{
    public IEnumerable<EnvSpec> Specs => [OwnProcessEnv.Spec];
}
