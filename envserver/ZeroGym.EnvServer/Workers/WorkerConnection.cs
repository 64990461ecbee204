namespace ZeroGym.EnvServer.Workers;

/// <summary>
/// A worker process and the client that talks to it, shared by the <see cref="WorkerEnv"/>s it hosts: it ends when
/// the last of them is disposed. Calls turn the worker's death or silence into an exception naming the env, the
/// call and how the worker ended, which the server reports as <c>env_failure</c> of that env alone.
/// </summary>
internal sealed class WorkerConnection
{
    private readonly WorkerProcess process;
    private readonly Lock gate = new();
    private int users;
    private bool ended;

    private WorkerConnection(WorkerProcess process, TimeSpan callTimeout)
    {
        this.process = process;
        CallTimeout = callTimeout;
        try
        {
            Client = new ZeroGymClient(process.Address, new ClientOptions { Timeout = callTimeout, ServerAlive = () => process.IsRunning });
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="process"/>'s worker and connects to it.</summary>
    /// <param name="callTimeout">How long a call may take; a worker silent for longer is ended (it hangs), and with it its envs.</param>
    public static WorkerConnection Start(Func<WorkerProcess> process, TimeSpan callTimeout) => new(process(), callTimeout);

    public ZeroGymClient Client { get; }

    public TimeSpan CallTimeout { get; }

    public int ProcessId => process.ProcessId;

    /// <summary>The worker still runs and has not been released by its last env: a new env may use it.</summary>
    public bool IsUsable
    {
        get
        {
            lock (gate) return !ended && process.IsRunning;
        }
    }

    /// <summary>The envs that use it now.</summary>
    public int Users
    {
        get
        {
            lock (gate) return users;
        }
    }

    /// <summary>One more env uses the worker.</summary>
    public void Acquire()
    {
        lock (gate)
        {
            if (ended) throw new InvalidOperationException($"the worker process (pid {process.ProcessId}) was ended; it takes no more envs");
            users++;
        }
    }

    /// <summary>An env is done with the worker; the last one ends it.</summary>
    public void Release()
    {
        lock (gate)
        {
            if (--users > 0) return;
            ended = true;
        }

        End();
    }

    /// <summary>Ends a worker no env uses (one kept idle, started ahead); a worker already ended stays so.</summary>
    public void Discard()
    {
        lock (gate)
        {
            if (users > 0) throw new InvalidOperationException($"the worker process (pid {process.ProcessId}) has {users} envs; they release it, it is not discarded");
            if (ended) return;
            ended = true;
        }

        End();
    }

    /// <summary>Ends the worker process (any thread); its envs' calls then fail as after a crash.</summary>
    public void Kill() => process.Kill();

    private void End()
    {
        Client.Dispose();
        process.Dispose();
    }

    /// <summary>
    /// Runs a call of env <paramref name="envId"/> on the worker. The worker's own errors stay
    /// <see cref="ZeroGymException"/>s with its code and message, which the server passes on as they are (see
    /// <see cref="Clients.Run"/>); a worker that died, or stays silent past <see cref="CallTimeout"/> (it is then
    /// ended), becomes an <see cref="InvalidOperationException"/> saying so.
    /// </summary>
    public T Call<T>(string envId, string op, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (ServerGoneException gone)
        {
            throw new InvalidOperationException(
                $"{envId}: its worker process (pid {process.ProcessId}) ended during '{op}' with {process.ExitDescription}; " +
                "the env is lost (close it and make a new one); the server and other envs are unaffected", gone);
        }
        catch (ServerTimeoutException silent)
        {
            process.Kill();
            throw new InvalidOperationException(
                $"{envId}: its worker process (pid {process.ProcessId}) did not answer '{op}' within {CallTimeout.TotalSeconds:0.###} s and was ended, " +
                "with every env it ran; the env is lost (close it and make a new one); the server and other envs are unaffected", silent);
        }
    }
}
