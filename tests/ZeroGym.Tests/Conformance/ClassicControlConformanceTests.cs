using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Testing;

namespace ZeroGym.Tests.Conformance;

/// <summary>CartPole-v1 against the env checklist.</summary>
public sealed class CartPoleConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("CartPole-v1");
}

/// <summary>Pendulum-v1 against the env checklist.</summary>
public sealed class PendulumConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("Pendulum-v1");
}
