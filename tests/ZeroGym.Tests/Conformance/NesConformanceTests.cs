using ZeroGym.Envs.Core;
using ZeroGym.Envs.Nes;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Testing;
using ZeroGym.Tests.Envs.Nes;

namespace ZeroGym.Tests.Conformance;

/// <summary>NES-v0 on the joypad test ROM against the env checklist.</summary>
public sealed class NesConformanceTests : EnvConformanceTests
{
    public override EnvSpec Spec => RegisteredEnvs.Get("NES-v0");

    protected override IReadOnlyDictionary<string, object?> Kwargs => new Dictionary<string, object?> { [NesEnv.RomKwarg] = TestRoms.Path(TestRoms.Joypad) };

    protected override IReadOnlyDictionary<string, string> OptOuts { get; } = NesOptOuts.SeedUnused("NES-v0");
}

/// <summary>What the NES envs cannot do by design.</summary>
internal static class NesOptOuts
{
    public static Dictionary<string, string> SeedUnused(string envId) => new()
    {
        [nameof(EnvConformanceTests.Reset_WithDifferentSeeds_GivesDifferentObservations)] =
            $"{envId} restores the same console state at every reset (nes-py's behaviour): the seed is accepted and unused",
    };
}
