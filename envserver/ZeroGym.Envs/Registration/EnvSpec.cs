using ZeroGym.Envs.Core;
using ZeroGym.Envs.Wrappers;

namespace ZeroGym.Envs.Registration;

/// <summary>How to build an env and what it promises, as Gymnasium's <c>EnvSpec</c>.</summary>
/// <param name="Id">Versioned id, "CartPole-v1": behaviour never changes without a new version.</param>
/// <param name="Create">Builds the env from validated kwargs and a render mode (null for none).</param>
/// <param name="Kwargs">Every kwarg the env takes, with its default value; the type of the default is the kwarg's type.</param>
/// <param name="MaxEpisodeSteps">Time limit applied by <see cref="TimeLimit"/>, or null for none.</param>
/// <param name="RewardThreshold">Mean return at which the task counts as solved, or null.</param>
/// <param name="NeedsOwnProcess">The env runs native code that can crash its process (an emulator core): the server
/// gives each one a worker process of its own so that a crash ends only that env.</param>
/// <param name="OpenKwargs">The env takes kwargs beyond <paramref name="Kwargs"/>, of any name and type, and checks
/// them itself (a Python env: its factory does).</param>
/// <param name="CreateGroup">Null, or for envs whose sub-envs share something (a Python env's worker processes):
/// given the number of sub-envs of a vector env, the <paramref name="Create"/> its sub-envs are made with, one after
/// the other, and any sub-env made anew later.</param>
public sealed record EnvSpec(
    string Id,
    Func<EnvKwargs, string?, Env> Create,
    IReadOnlyDictionary<string, object?> Kwargs,
    int? MaxEpisodeSteps,
    double? RewardThreshold,
    IReadOnlyList<string> RenderModes,
    int RenderFps,
    string Description,
    bool Nondeterministic = false,
    bool NeedsOwnProcess = false,
    bool OpenKwargs = false,
    Func<int, Func<EnvKwargs, string?, Env>>? CreateGroup = null)
{
    /// <summary>Makes the env with Gymnasium's standard wrapper: a time limit when the spec (or the
    /// <c>max_episode_steps</c> kwarg) sets one, then the <c>wrappers</c> kwarg's wrappers around it, as a
    /// Gymnasium user wraps what <c>gymnasium.make</c> returns. Throws <see cref="ArgumentException"/> for bad kwargs.</summary>
    public Env Make(IReadOnlyDictionary<string, object?>? kwargs = null, string? renderMode = null) =>
        Make(EnvKwargs.Parse(this, kwargs), renderMode);

    /// <summary>Makes the env from kwargs already checked by <see cref="EnvKwargs.Parse"/>.</summary>
    /// <param name="create">Builds the env in place of <see cref="Create"/> (a sub-env of a <see cref="CreateGroup"/>); null for <see cref="Create"/>.</param>
    public Env Make(EnvKwargs kwargs, string? renderMode, Func<EnvKwargs, string?, Env>? create = null)
    {
        if (renderMode is not null && !RenderModes.Contains(renderMode))
        {
            throw new ArgumentException(
                $"{Id} has render modes [{string.Join(", ", RenderModes)}]; got render_mode '{renderMode}'");
        }

        var env = (create ?? Create)(kwargs, renderMode);
        env = kwargs.MaxEpisodeSteps is int limit ? new TimeLimit(env, limit) : env;
        if (kwargs.Wrappers is null) return env;
        try
        {
            return kwargs.Wrappers.Apply(env, Id);
        }
        catch
        {
            env.Dispose();
            throw;
        }
    }
}
