using ZeroGym.Envs.Registration;

namespace GridWalk;

/// <summary>The envs of this assembly, found by the server (<c>--env-assembly</c>) through <see cref="IEnvFamily"/>.</summary>
public sealed class GridWalkEnvs : IEnvFamily
{
    public IEnumerable<EnvSpec> Specs => [GridWalkEnv.Spec];
}
