namespace ZeroGym.Envs.Testing;

/// <summary>Thrown by a check that does not run for this env; <see cref="ConformanceTestCase"/> reports it as a skip.</summary>
public sealed class CheckSkippedException(string reason) : Exception(reason)
{
}
