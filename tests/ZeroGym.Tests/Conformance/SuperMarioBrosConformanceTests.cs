using ZeroGym.Envs.Core;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Testing;
using ZeroGym.Tests.Envs.Nes;

namespace ZeroGym.Tests.Conformance;

/// <summary>A Super Mario Bros env on the Mario-like test ROM (no game ROM ships with ZeroGym) against the env checklist.</summary>
public abstract class SuperMarioBrosConformanceTests(string envId) : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get(envId);

    protected override IReadOnlyDictionary<string, object?> Kwargs => new Dictionary<string, object?> { [NesEnv.RomKwarg] = TestRoms.Path(TestRoms.MarioLike) };

    protected override IReadOnlyDictionary<string, string> OptOuts { get; } = NesOptOuts.SeedUnused(envId);
}

public sealed class SuperMarioBrosGameConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-v0");

public sealed class SuperMarioBrosWorld1Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-1-1-v0");

public sealed class SuperMarioBrosWorld1Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-1-2-v0");

public sealed class SuperMarioBrosWorld1Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-1-3-v0");

public sealed class SuperMarioBrosWorld1Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-1-4-v0");

public sealed class SuperMarioBrosWorld2Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-2-1-v0");

public sealed class SuperMarioBrosWorld2Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-2-2-v0");

public sealed class SuperMarioBrosWorld2Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-2-3-v0");

public sealed class SuperMarioBrosWorld2Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-2-4-v0");

public sealed class SuperMarioBrosWorld3Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-3-1-v0");

public sealed class SuperMarioBrosWorld3Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-3-2-v0");

public sealed class SuperMarioBrosWorld3Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-3-3-v0");

public sealed class SuperMarioBrosWorld3Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-3-4-v0");

public sealed class SuperMarioBrosWorld4Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-4-1-v0");

public sealed class SuperMarioBrosWorld4Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-4-2-v0");

public sealed class SuperMarioBrosWorld4Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-4-3-v0");

public sealed class SuperMarioBrosWorld4Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-4-4-v0");

public sealed class SuperMarioBrosWorld5Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-5-1-v0");

public sealed class SuperMarioBrosWorld5Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-5-2-v0");

public sealed class SuperMarioBrosWorld5Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-5-3-v0");

public sealed class SuperMarioBrosWorld5Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-5-4-v0");

public sealed class SuperMarioBrosWorld6Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-6-1-v0");

public sealed class SuperMarioBrosWorld6Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-6-2-v0");

public sealed class SuperMarioBrosWorld6Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-6-3-v0");

public sealed class SuperMarioBrosWorld6Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-6-4-v0");

public sealed class SuperMarioBrosWorld7Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-7-1-v0");

public sealed class SuperMarioBrosWorld7Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-7-2-v0");

public sealed class SuperMarioBrosWorld7Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-7-3-v0");

public sealed class SuperMarioBrosWorld7Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-7-4-v0");

public sealed class SuperMarioBrosWorld8Stage1ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-8-1-v0");

public sealed class SuperMarioBrosWorld8Stage2ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-8-2-v0");

public sealed class SuperMarioBrosWorld8Stage3ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-8-3-v0");

public sealed class SuperMarioBrosWorld8Stage4ConformanceTests() : SuperMarioBrosConformanceTests("SuperMarioBros-8-4-v0");
