using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Testing;

namespace ZeroGym.Tests.Conformance;

/// <summary>HalfCheetah-v5 (MuJoCo) against the env checklist.</summary>
public sealed class HalfCheetahConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("HalfCheetah-v5");
}
