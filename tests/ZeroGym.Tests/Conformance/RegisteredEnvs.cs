using ZeroGym.Envs.Core;

namespace ZeroGym.Tests.Conformance;

/// <summary>The envs the server offers, as the conformance classes test them: the one place they get the registry.</summary>
internal static class RegisteredEnvs
{
    public static EnvRegistry Registry { get; } = EnvRegistry.CreateDefault();

    public static EnvSpec Get(string id) => Registry.Get(id);
}
