using System.Diagnostics;
using ZeroGym.EnvServer.Workers;

namespace ZeroGym.EnvServer.Python;

/// <summary>
/// The worker processes of one Python env started ahead (<see cref="PythonEnvOptions.WarmWorkers"/>), each with the
/// env's module imported, so that a make takes one instead of waiting for Python to start. A worker taken serves
/// that one handle and ends with it: it never goes to another handle, since an env's module state (globals, caches,
/// a seeded global RNG) could carry over from one client to the next. The pool refills on a thread of its own, so
/// the server's loop never waits for a start it did not need; when no worker is idle, a make waits for the one the
/// pool is starting, if any (further along than one begun then), or else starts one itself, as without a pool. Idle workers block on their sockets (no CPU), and end when the pool is disposed or, should the
/// server be killed, when their parent process ends.
/// </summary>
internal sealed class PythonWorkerPool : IDisposable
{
    private readonly Queue<WorkerConnection> idle = new();
    private readonly object gate = new(); // a Monitor: a make may wait on it for a start under way
    private bool warm;
    private bool refilling;
    private bool startFailed;
    private bool disposed;

    public PythonWorkerPool(PythonEnvDefinition definition, PythonEnvOptions options)
    {
        Definition = definition;
        Options = options;
    }

    /// <summary>The env the workers serve.</summary>
    public PythonEnvDefinition Definition { get; }

    /// <summary>How workers are started, and how many are kept idle.</summary>
    public PythonEnvOptions Options { get; }

    /// <summary>The process ids of the idle workers (tests watch them).</summary>
    public IReadOnlyList<int> IdleProcessIds
    {
        get
        {
            lock (gate) return [.. idle.Select(worker => worker.ProcessId)];
        }
    }

    /// <summary>
    /// An idle worker; else the one the pool is starting, once it is up; else one started now (which throws
    /// <see cref="InvalidOperationException"/> when it cannot start).
    /// </summary>
    public WorkerConnection Take()
    {
        var dead = new List<WorkerConnection>();
        WorkerConnection? taken = null;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            while (true)
            {
                while (taken is null && idle.TryDequeue(out var worker))
                {
                    if (worker.IsUsable) taken = worker;
                    else dead.Add(worker);
                }

                // Two starts side by side would each take twice as long on a busy machine.
                if (taken is not null || !refilling || disposed) break;
                Monitor.Wait(gate);
            }
        }

        foreach (var worker in dead) worker.Discard();
        if (taken is not null) return taken;

        taken = Start();
        lock (gate) startFailed = false; // starts work (again): the pool may refill
        return taken;
    }

    /// <summary>Starts keeping workers ready, once the env is known to work (until then a make starts its own worker, and <see cref="Refill"/> does nothing).</summary>
    public void KeepWarm()
    {
        lock (gate) warm = true;
        Refill();
    }

    /// <summary>
    /// Tops the pool up to <see cref="PythonEnvOptions.WarmWorkers"/> idle workers on a background thread, unless it is
    /// full, already refilling, or its last start failed (then only after a make has started a worker again, so a
    /// broken interpreter or module is not started over and over).
    /// </summary>
    public void Refill()
    {
        lock (gate)
        {
            if (!warm || disposed || refilling || startFailed || idle.Count >= Options.WarmWorkers) return;
            refilling = true;
        }

        new Thread(FillUp) { IsBackground = true, Name = $"zerogym python workers of {Definition.Id}" }.Start();
    }

    /// <summary>Ends the idle workers; a start under way ends its worker when it is done. Workers that envs took end with their envs.</summary>
    public void Dispose()
    {
        List<WorkerConnection> ending;
        lock (gate)
        {
            disposed = true;
            ending = [.. idle];
            idle.Clear();
            Monitor.PulseAll(gate);
        }

        foreach (var worker in ending) worker.Discard();
    }

    private void FillUp()
    {
        while (true)
        {
            lock (gate)
            {
                if (disposed || idle.Count >= Options.WarmWorkers)
                {
                    refilling = false;
                    Monitor.PulseAll(gate);
                    return;
                }
            }

            WorkerConnection worker;
            try
            {
                worker = Start();
            }
            catch (Exception)
            {
                // Whatever the reason (its output is in the server's log), the next make starts its own worker and
                // reports why that fails; a thread of the pool must never end the server.
                lock (gate)
                {
                    (startFailed, refilling) = (true, false);
                    Monitor.PulseAll(gate);
                }

                return;
            }

            bool keep;
            lock (gate)
            {
                keep = !disposed;
                if (keep) idle.Enqueue(worker);
                Monitor.PulseAll(gate);
            }

            if (!keep) worker.Discard();
        }
    }

    private WorkerConnection Start() => WorkerConnection.Start(() => WorkerProcess.Start(Command), Options.StepTimeout);

    /// <summary><c>python -m zerogym.worker</c>, with the server's own copy of the package first on its path.</summary>
    private ProcessStartInfo Command(string endpoint)
    {
        var start = new ProcessStartInfo(Options.Interpreter);
        foreach (string argument in (string[])["-m", "zerogym.worker", "--bind", endpoint, "--env", Definition.ToString(), "--parent-pid", Environment.ProcessId.ToString()])
        {
            start.ArgumentList.Add(argument);
        }

        if (!Options.LocalStream) start.ArgumentList.Add("--no-local-stream");
        string? inherited = Environment.GetEnvironmentVariable("PYTHONPATH");
        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, [Options.PackageDirectory, .. Options.SearchPath, .. string.IsNullOrEmpty(inherited) ? [] : (string[])[inherited]]);
        return start;
    }
}
