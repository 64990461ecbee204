using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer.Workers;

/// <summary>
/// An env that lives in a <see cref="WorkerProcess"/> of its own and is driven through the client library over
/// ipc, so a crash of its native code ends that process, not the server: the env's calls then fail and the
/// server answers <c>env_failure</c> for this env alone. The worker applies the kwargs, the time limit and the
/// wrappers, so only the wrapped (small) observations cross the process boundary.
/// </summary>
internal sealed class WorkerEnv : Env
{
    private readonly WorkerProcess worker;
    private readonly ZeroGymClient client;
    private readonly RemoteEnv env;
    private readonly string envId;

    /// <param name="kwargs">Every kwarg as the worker's <c>make</c> takes it, <c>max_episode_steps</c> and <c>wrappers</c> included.</param>
    /// <param name="workerArguments">Added to the worker's command line (<see cref="ServerOptions.WorkerArguments"/>).</param>
    public WorkerEnv(string envId, IReadOnlyDictionary<string, object?> kwargs, string? renderMode, IReadOnlyList<string> workerArguments)
    {
        this.envId = envId;
        RenderMode = renderMode;
        worker = WorkerProcess.Start(workerArguments);
        try
        {
            // Making an env can take seconds (an emulator skipping a start screen); a crash shows at once.
            client = new ZeroGymClient(worker.Address, new ClientOptions { Timeout = TimeSpan.FromMinutes(10), ServerAlive = () => worker.IsRunning });
            env = Call(() => client.Make(envId, kwargs, renderMode), "make");
        }
        catch
        {
            client?.Dispose();
            worker.Dispose();
            throw;
        }
    }

    public override Space ObservationSpace => env.ObservationSpace;

    public override Space ActionSpace => env.ActionSpace;

    /// <summary>The worker's process id (tests kill it to play a crash).</summary>
    public int WorkerProcessId => worker.ProcessId;

    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        Call(() => env.Reset(seed, options), "reset");

    public override StepResult Step(object action) => Call(() => env.Step(action), "step");

    public override NDArray Render() => Call(env.Render, "render");

    public override void Dispose()
    {
        if (worker.IsRunning)
        {
            try
            {
                env.Dispose();
            }
            catch (Exception error) when (error is ZeroGymException or ServerGoneException or TimeoutException)
            {
                // The worker is ended below either way.
            }
        }

        client.Dispose();
        worker.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Runs a call on the worker. The worker's own errors stay <see cref="ZeroGymException"/>s with its code and
    /// message, which the server passes on as they are (see <see cref="Clients.Run"/>); a worker that died becomes
    /// an exception naming how it ended, which the server reports as env_failure.
    /// </summary>
    private T Call<T>(Func<T> call, string op)
    {
        try
        {
            return call();
        }
        catch (ServerGoneException gone)
        {
            throw new InvalidOperationException(
                $"{envId}: its worker process (pid {worker.ProcessId}) ended during '{op}' with {worker.ExitDescription}; " +
                "the env is lost (close it and make a new one); the server and other envs are unaffected", gone);
        }
    }
}
