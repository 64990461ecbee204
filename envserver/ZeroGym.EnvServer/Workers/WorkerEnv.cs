using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer.Workers;

/// <summary>
/// An env that lives in a worker process (<see cref="WorkerConnection"/>) and is driven through the client library
/// over ipc, so a crash of its code ends that process, not the server: the env's calls then fail and the server
/// answers <c>env_failure</c> for the envs of that worker alone. The worker applies the kwargs it is given (for a
/// NES env also the time limit and the wrappers, so only the wrapped, small observations cross the process boundary).
/// </summary>
internal sealed class WorkerEnv : Env
{
    /// <summary>How long a call of a worker of this program may take (making an env can take seconds: an emulator skipping a start screen).</summary>
    private static readonly TimeSpan OwnWorkerCallTimeout = TimeSpan.FromMinutes(10);

    private readonly WorkerConnection worker;
    private readonly RemoteEnv env;
    private readonly string envId;

    /// <summary>Starts a worker process of this program for one env.</summary>
    /// <param name="kwargs">Every kwarg as the worker's <c>make</c> takes it, <c>max_episode_steps</c> and <c>wrappers</c> included.</param>
    /// <param name="workerArguments">Added to the worker's command line (<see cref="ServerOptions.WorkerArguments"/>).</param>
    public WorkerEnv(string envId, IReadOnlyDictionary<string, object?> kwargs, string? renderMode, IReadOnlyList<string> workerArguments)
        : this(envId, WorkerConnection.Start(() => WorkerProcess.Start(workerArguments), OwnWorkerCallTimeout), kwargs, renderMode)
    {
    }

    /// <summary>Makes the env on <paramref name="worker"/>, which it then uses until it is disposed.</summary>
    public WorkerEnv(string envId, WorkerConnection worker, IReadOnlyDictionary<string, object?> kwargs, string? renderMode)
    {
        this.envId = envId;
        this.worker = worker;
        RenderMode = renderMode;
        worker.Acquire();
        try
        {
            env = worker.Call(envId, "make", () => worker.Client.Make(envId, kwargs, renderMode));
        }
        catch
        {
            worker.Release();
            throw;
        }
    }

    public override Space ObservationSpace => env.ObservationSpace;

    public override Space ActionSpace => env.ActionSpace;

    /// <summary>The worker's process id (tests kill it to play a crash).</summary>
    public int WorkerProcessId => worker.ProcessId;

    /// <summary>How the server reaches the worker: <c>local_stream</c> (SPEC.md §1.1) or <c>zeromq</c>.</summary>
    public string Transport => worker.Client.Transport;

    /// <summary>Its worker process ended (it crashed, or hung and was ended): the env's state is gone.</summary>
    public bool IsLost => !worker.IsUsable;

    /// <summary>The env as the worker made it: its spec and render metadata.</summary>
    public RemoteEnv Remote => env;

    /// <summary>Ends the worker process at once (from any thread): a call waiting for it fails instead of waiting out its timeout.</summary>
    public void KillWorker() => worker.Kill();

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        worker.Call(envId, "reset", () => env.Reset(seed, options));

    public override StepResult Step(object action) => worker.Call(envId, "step", () => env.Step(action));

    public override NDArray Render() => worker.Call(envId, "render", env.Render);

    public override void Dispose()
    {
        if (worker.IsUsable)
        {
            try
            {
                env.Dispose();
            }
            catch (Exception error) when (error is ZeroGymException or ServerGoneException or TimeoutException)
            {
                // The env is given up either way.
            }
        }

        worker.Release();
        base.Dispose();
    }
}
