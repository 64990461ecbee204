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

/// <summary>Acrobot-v1 against the env checklist.</summary>
public sealed class AcrobotConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("Acrobot-v1");
}

/// <summary>MountainCar-v0 against the env checklist.</summary>
public sealed class MountainCarConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("MountainCar-v0");
}

/// <summary>MountainCarContinuous-v0 against the env checklist.</summary>
public sealed class MountainCarContinuousConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("MountainCarContinuous-v0");
}
