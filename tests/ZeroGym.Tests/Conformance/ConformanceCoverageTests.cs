using ZeroGym.Envs.Testing;

namespace ZeroGym.Tests.Conformance;

/// <summary>Every env the server offers runs the conformance checklist: a new env id without its class fails here.</summary>
public sealed class ConformanceCoverageTests
{
    [Fact]
    public void EveryRegisteredEnv_HasOneConformanceClass()
    {
        var tested = typeof(ConformanceCoverageTests).Assembly.GetTypes()
            .Where(type => !type.IsAbstract && type.IsSubclassOf(typeof(EnvConformanceTests)))
            .Select(type => (Type: type, ((EnvConformanceTests)Activator.CreateInstance(type)!).Spec.Id))
            .ToList();
        var registered = RegisteredEnvs.Registry.Specs.Select(spec => spec.Id).ToList();

        var untested = registered.Except(tested.Select(test => test.Id)).Order(StringComparer.Ordinal).ToList();
        Assert.True(untested.Count == 0,
            $"registered envs without a conformance class (derive one from {nameof(EnvConformanceTests)}, see envserver/ZeroGym.Envs.Testing/README.md): {string.Join(", ", untested)}");
        var twice = tested.GroupBy(test => test.Id).Where(group => group.Count() > 1).Select(group => $"{group.Key} ({string.Join(", ", group.Select(test => test.Type.Name))})").ToList();
        Assert.True(twice.Count == 0, $"envs with more than one conformance class: {string.Join("; ", twice)}");
        var unregistered = tested.Where(test => !registered.Contains(test.Id)).Select(test => $"{test.Type.Name} ({test.Id})").ToList();
        Assert.True(unregistered.Count == 0, $"conformance classes of envs the registry does not have: {string.Join(", ", unregistered)}");
    }
}
