using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;

namespace ZeroGym.Tests.Conformance;

/// <summary>The envs the server offers, as the conformance classes test them: the one place they get the registry.</summary>
internal static class RegisteredEnvs
{
    public static EnvRegistry Registry { get; } = BuiltInEnvs.CreateRegistry();

    public static EnvSpec Get(string id) => Registry.Get(id);
}
