using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Testing;

namespace GridWalk.Tests;

/// <summary>Every check of ZeroGym's env conformance kit, on the env this example serves.</summary>
public sealed class GridWalkConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => GridWalkEnv.Spec;
}
