using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer.Workers;

namespace ZeroGym.EnvServer.Python;

/// <summary>
/// Envs written in Python (<c>--python-env</c>), served by worker processes that run <c>python -m zerogym.worker</c>
/// and speak the ZeroGym protocol, so the server drives them as it drives its other workers (<see cref="WorkerEnv"/>):
/// an exception of the env is its <c>env_failure</c>, a worker that dies or hangs ends only its envs, and vector envs,
/// the asynchronous calls and both clients work as for built-in envs. Each env is made once at start-up, so an import
/// error, a factory that fails or a space without a wire form stops the server with an error naming the env.
/// </summary>
public static class PythonEnvs
{
    /// <summary>Makes the env once in a worker and registers it in <paramref name="registry"/> with what it said about itself.</summary>
    /// <exception cref="ArgumentException">The id is taken, or the env cannot be made, or its spaces cannot be served; the message names the env and gives the Python exception.</exception>
    public static EnvSpec Register(EnvRegistry registry, PythonEnvDefinition definition, PythonEnvOptions options)
    {
        string where = $"{PythonEnvOptions.EnvOption} {definition}";
        if (registry.TryGet(definition.Id, out _))
        {
            throw new ArgumentException($"{where}: env '{definition.Id}' is already registered (built in, or by an earlier option); give it another id");
        }

        if (!File.Exists(Path.Combine(options.PackageDirectory, "zerogym", "worker.py")))
        {
            throw new ArgumentException($"{where}: the zerogym package the Python workers run is missing: expected {Path.Combine(options.PackageDirectory, "zerogym", "worker.py")} next to the server");
        }

        var spec = Probe(definition, options, where);
        registry.Register(spec, definition.Source);
        return spec;
    }

    /// <summary>The spec of the env as a worker makes it with no kwargs: spaces checked, metadata read.</summary>
    private static EnvSpec Probe(PythonEnvDefinition definition, PythonEnvOptions options, string where)
    {
        WorkerEnv made;
        try
        {
            made = (WorkerEnv)new PythonWorkerGroup(definition, options, 1).Create(EnvKwargs.Parse(OpenSpec(definition, options), null), null);
        }
        catch (Exception error) when (error is ZeroGymException or InvalidOperationException)
        {
            throw new ArgumentException($"{where}: env '{definition.Id}' cannot be made: {error.Message}", error);
        }

        using (made)
        {
            EnvAssemblies.CheckSpace(made.ObservationSpace, "observation_space", $"{where}: env '{definition.Id}'");
            EnvAssemblies.CheckSpace(made.ActionSpace, "action_space", $"{where}: env '{definition.Id}'");
            var told = made.Remote.Spec;
            return OpenSpec(definition, options) with
            {
                // Gymnasium's own time limit, which the server then applies too (at the same step, so nothing changes);
                // a user's factory applies its own if it has one.
                MaxEpisodeSteps = definition.FromGymnasium ? told.MaxEpisodeSteps : null,
                RewardThreshold = told.RewardThreshold,
                Nondeterministic = told.Nondeterministic,
                RenderModes = told.RenderModes,
                RenderFps = made.Remote.RenderFps,
                Description = string.IsNullOrEmpty(told.Description) ? $"Python env {definition.Target ?? $"gymnasium.make(\"{definition.Id}\")"}" : told.Description,
            };
        }
    }

    /// <summary>A spec whose kwargs are the Python factory's to check, made on the worker group of each handle.</summary>
    private static EnvSpec OpenSpec(PythonEnvDefinition definition, PythonEnvOptions options) =>
        new(
            definition.Id,
            (kwargs, renderMode) => new PythonWorkerGroup(definition, options, 1).Create(kwargs, renderMode),
            Kwargs: new Dictionary<string, object?>(),
            MaxEpisodeSteps: null,
            RewardThreshold: null,
            RenderModes: [],
            RenderFps: 30,
            Description: "",
            OpenKwargs: true,
            CreateGroup: numEnvs => new PythonWorkerGroup(definition, options, numEnvs).Create);
}
