using ZeroGym.Envs.Core;
using ZeroGym.Envs.Wrappers;

namespace ZeroGym.EnvServer;

/// <summary>
/// For tests (<see cref="ServerOptions.InjectedDelay"/>): every step and reset of the env first waits a random time up
/// to a maximum, so that the sub-envs of a vector env finish in an order no test can predict. Results are unchanged.
/// </summary>
internal sealed class RandomDelay(Env inner, TimeSpan maximum) : Wrapper(inner)
{
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        Wait();
        return base.Reset(seed, options);
    }

    public override StepResult Step(object action)
    {
        Wait();
        return base.Step(action);
    }

    private void Wait()
    {
        // Spins rather than sleeps: a sleep is at least a scheduler tick, far longer than the delays tests want.
        var delay = TimeSpan.FromTicks(System.Random.Shared.NextInt64(maximum.Ticks + 1));
        var until = DateTime.UtcNow + delay;
        while (DateTime.UtcNow < until) Thread.SpinWait(20);
    }
}
