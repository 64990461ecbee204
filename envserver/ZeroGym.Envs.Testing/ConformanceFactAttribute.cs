using Xunit.Sdk;

namespace ZeroGym.Envs.Testing;

/// <summary>
/// A check of the conformance checklist: an xunit fact that is reported as skipped, with the stated reason, when the
/// env under test opted out of it (<see cref="EnvConformanceTests.OptOuts"/>) or when it does not apply to the env
/// (no <c>rgb_array</c> render mode), so an opt-out shows in every test run rather than passing silently.
/// </summary>
[XunitTestCaseDiscoverer("ZeroGym.Envs.Testing.ConformanceFactDiscoverer", "ZeroGym.Envs.Testing")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceFactAttribute : FactAttribute
{
}
