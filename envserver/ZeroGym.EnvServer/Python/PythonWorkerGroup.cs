using System.Diagnostics;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer.Workers;

namespace ZeroGym.EnvServer.Python;

/// <summary>
/// The worker processes of one handle of a Python env: a single env has one, a vector env's sub-envs are spread over
/// up to <see cref="PythonEnvOptions.Workers"/>, in consecutive blocks (sub-envs 0-3 on one, 4-7 on the next), as the
/// server's parallel steps hand them to threads, so that threads seldom wait for the same worker. A worker that dies
/// or hangs ends its own envs only; a sub-env made anew after that gets a new worker in its place.
/// </summary>
internal sealed class PythonWorkerGroup
{
    private readonly PythonEnvDefinition definition;
    private readonly PythonEnvOptions options;
    private readonly int numEnvs;
    private readonly WorkerConnection?[] workers;
    private readonly Lock gate = new();
    private int made;

    /// <param name="numEnvs">The sub-envs of the handle (1 for a single env).</param>
    public PythonWorkerGroup(PythonEnvDefinition definition, PythonEnvOptions options, int numEnvs)
    {
        this.definition = definition;
        this.options = options;
        this.numEnvs = numEnvs;
        workers = new WorkerConnection?[Math.Clamp(options.Workers, 1, Math.Max(1, numEnvs))];
    }

    /// <summary>Makes the next sub-env (in index order; then any made anew) on its worker, starting the worker if needed.</summary>
    public Env Create(EnvKwargs kwargs, string? renderMode)
    {
        WorkerConnection worker;
        lock (gate)
        {
            int slot = made < numEnvs ? made * workers.Length / numEnvs : SlotForRemade();
            made++;
            if (workers[slot] is not { IsUsable: true })
            {
                workers[slot] = WorkerConnection.Start(() => WorkerProcess.Start(Command), options.StepTimeout);
            }

            worker = workers[slot]!;
        }

        return new WorkerEnv(definition.Id, worker, Forwarded(kwargs), renderMode);
    }

    /// <summary>A worker that ended is restarted first; else the worker with the fewest envs takes it.</summary>
    private int SlotForRemade()
    {
        int ended = Array.FindIndex(workers, worker => worker is not { IsUsable: true });
        if (ended >= 0) return ended;
        return Enumerable.Range(0, workers.Length).MinBy(slot => workers[slot]!.Users);
    }

    /// <summary>
    /// The kwargs the Python factory takes: the client's, without the two the server applies itself (the time limit,
    /// the wrappers). Gymnasium's own envs also get <c>max_episode_steps</c>, so that a limit the client sets replaces
    /// Gymnasium's instead of adding to it.
    /// </summary>
    private Dictionary<string, object?> Forwarded(EnvKwargs kwargs)
    {
        var forwarded = kwargs.Values.Where(pair => pair.Key is not (EnvKwargs.MaxEpisodeStepsKey or EnvKwargs.WrappersKey)).ToDictionary();
        if (definition.FromGymnasium && kwargs.MaxEpisodeSteps is int limit) forwarded[EnvKwargs.MaxEpisodeStepsKey] = (long)limit;
        return forwarded;
    }

    /// <summary><c>python -m zerogym.worker</c>, with the server's own copy of the package first on its path.</summary>
    private ProcessStartInfo Command(string endpoint)
    {
        var start = new ProcessStartInfo(options.Interpreter);
        foreach (string argument in (string[])["-m", "zerogym.worker", "--bind", endpoint, "--env", definition.ToString(), "--parent-pid", Environment.ProcessId.ToString()])
        {
            start.ArgumentList.Add(argument);
        }

        if (!options.LocalStream) start.ArgumentList.Add("--no-local-stream");
        string? inherited = Environment.GetEnvironmentVariable("PYTHONPATH");
        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, [options.PackageDirectory, .. options.SearchPath, .. string.IsNullOrEmpty(inherited) ? [] : (string[])[inherited]]);
        return start;
    }
}
