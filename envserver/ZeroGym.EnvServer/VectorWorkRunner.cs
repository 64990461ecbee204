using System.Diagnostics;
using ZeroGym.Envs.Vector;

namespace ZeroGym.EnvServer;

/// <summary>
/// Steps and resets the sub-envs of expensive vector envs (<see cref="SyncVectorEnv.SteppingInParallel"/>) on worker
/// threads, one thread per core, so that the server's loop thread keeps serving the socket while they run (SPEC.md §3.4).
/// </summary>
/// <remarks>
/// <para>Who owns what. The loop thread owns the server's state (<see cref="RequestHandler"/>, <see cref="VectorQueue"/>,
/// the sessions and replies): it posts work (<see cref="Post"/>), takes what finished (<see cref="TakeFinished"/>) and
/// reads <see cref="Outstanding"/>. A sub-env with work posted belongs to the one thread that runs that work (a worker,
/// or the loop thread while it drains the vector env: <see cref="Drain"/>), and to the loop thread again once the work
/// finished. The server never posts a sub-env twice before taking its result (a sub-env in flight takes no action), so
/// each sub-env is touched by one thread at a time. The queues of work and results are shared under one lock.</para>
/// <para>Wake-ups. Workers do not wake the loop for each sub-env: the loop says how many results of a vector env it
/// needs (<see cref="WakeWhenFinished"/>: what a waiting <c>recv</c>'s batch lacks), and the worker that finishes the
/// last of them calls <c>signal</c> (the server sends a ZeroMQ message the loop's poll wakes on). Results the loop did
/// not ask for wait until it next takes results.</para>
/// <para>Fairness. Vector envs with work waiting take turns of one batch each (their <c>batch_size</c>), as the loop's
/// turns do for cheap envs: one client's backlog delays another's batch by at most one batch.</para>
/// </remarks>
internal sealed class VectorWorkRunner : IDisposable
{
    private readonly object gate = new();
    private readonly long idleSpinTicks;
    private readonly Action signal;
    private readonly Thread[] threads;
    private readonly Queue<WorkLane> turns = new();
    private List<(WorkLane Lane, SubEnvResult Result)> finished = [];
    private List<(WorkLane Lane, SubEnvResult Result)> taken = [];
    private int takenThisTurn;
    private bool signalled;
    private volatile bool stopping;
    // Work posted and not started, over all lanes: what an idle worker watches without the lock (changed under it).
    private volatile int pendingCount;
    // The loop thread waits in Drain or Abandon for a lane's running work: the last of it must wake the loop.
    private bool loopWaiting;

    /// <param name="workers">How many worker threads step sub-envs (one per core is what the cores can run).</param>
    /// <param name="idleSpin">
    /// How long a worker out of work polls for more before it sleeps (the server's <c>--spin-us</c>, 0 by default): on an
    /// idle VM the next batch of a quick client comes sooner than a halted vCPU wakes up; on a busy machine it costs CPU.
    /// </param>
    /// <param name="signal">Wakes the loop thread; called by a worker, under this runner's lock, so never twice at once.</param>
    public VectorWorkRunner(int workers, TimeSpan idleSpin, Action signal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        idleSpinTicks = (long)(idleSpin.TotalSeconds * Stopwatch.Frequency);
        this.signal = signal;
        threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            threads[i] = new Thread(Work) { IsBackground = true, Name = $"zerogym sub-env worker {i + 1}" };
            threads[i].Start();
        }
    }

    /// <summary>Work posted whose result the loop has not taken yet (loop thread only): while 0, no signal can come.</summary>
    public int Outstanding { get; private set; }

    /// <summary>The lane of one vector env, through which its work goes to the workers (loop thread).</summary>
    public WorkLane AddLane(ClientSession client, EnvSession session) => new(this, client, session);

    /// <summary>
    /// Queues sub-envs' steps or resets on <paramref name="lane"/> (loop thread), under one lock, and wakes as many
    /// sleeping workers as there is work for.
    /// </summary>
    public void Post(WorkLane lane, IEnumerable<SubEnvWork> work)
    {
        int posted = 0;
        lock (gate)
        {
            foreach (var item in work)
            {
                lane.Pending.Enqueue(item);
                posted++;
            }

            if (posted == 0) return;
            pendingCount += posted;
            if (!lane.InTurns)
            {
                lane.InTurns = true;
                turns.Enqueue(lane);
            }

            for (int i = Math.Min(posted, threads.Length); i > 0; i--) Monitor.Pulse(gate);
        }

        lane.Outstanding += posted;
        Outstanding += posted;
    }

    /// <summary>
    /// Asks for <c>signal</c> once <paramref name="count"/> results of <paramref name="lane"/> wait to be taken (at
    /// once when they already do); <see cref="int.MaxValue"/> for none. Loop thread; <see cref="TakeFinished"/> clears it.
    /// </summary>
    public void WakeWhenFinished(WorkLane lane, int count)
    {
        lock (gate)
        {
            lane.WakeAt = count;
            if (lane.Finished >= count) Signal();
        }
    }

    /// <summary>
    /// The results finished since the last call, in the order they finished (loop thread; the list is valid until the
    /// next call). Their sub-envs are the loop's again, and the wake-up requests of their lanes are cleared.
    /// </summary>
    public List<(WorkLane Lane, SubEnvResult Result)> TakeFinished()
    {
        taken.Clear();
        lock (gate)
        {
            (taken, finished) = (finished, taken);
            signalled = false;
            foreach (var (lane, _) in taken)
            {
                lane.Finished = 0;
                lane.WakeAt = int.MaxValue;
            }
        }

        foreach (var (lane, _) in taken) lane.Outstanding--;
        Outstanding -= taken.Count;
        return taken;
    }

    /// <summary>
    /// Finishes every piece of <paramref name="lane"/>'s work (loop thread): what no worker started yet runs on the
    /// calling thread, then it waits for what the workers are running. The results are then ready for <see cref="TakeFinished"/>.
    /// </summary>
    public void Drain(WorkLane lane)
    {
        while (true)
        {
            SubEnvWork work;
            lock (gate)
            {
                if (!lane.Pending.TryDequeue(out work))
                {
                    WaitUntilStopped(lane);
                    return;
                }

                pendingCount--;

                lane.Running++;
            }

            var result = work.Run(lane.Session.Vector!);
            lock (gate) Finish(lane, result);
        }
    }

    /// <summary>
    /// Drops <paramref name="lane"/>'s work (loop thread, before its vector env is disposed): what has not started is
    /// dropped, what runs is waited for, and no result of it is taken afterwards.
    /// </summary>
    public void Abandon(WorkLane lane)
    {
        lock (gate)
        {
            lane.Abandoned = true;
            pendingCount -= lane.Pending.Count;
            lane.Pending.Clear();
            WaitUntilStopped(lane);
            finished.RemoveAll(item => item.Lane == lane);
            lane.Finished = 0;
        }

        Outstanding -= lane.Outstanding;
        lane.Outstanding = 0;
    }

    /// <summary>Stops the workers once they finish the sub-env they are running (the sessions were closed first).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            stopping = true;
            Monitor.PulseAll(gate);
        }

        foreach (var thread in threads) thread.Join();
    }

    /// <summary>Waits (loop thread, under the lock) until no worker runs work of <paramref name="lane"/>.</summary>
    private void WaitUntilStopped(WorkLane lane)
    {
        loopWaiting = true;
        while (lane.Running > 0) Monitor.Wait(gate);
        loopWaiting = false;
    }

    private void Work()
    {
        while (true)
        {
            // Yields the CPU between polls, as the loop's own spin does (EnvServer.SpinUntil).
            long deadline = Stopwatch.GetTimestamp() + idleSpinTicks;
            while (pendingCount == 0 && !stopping && Stopwatch.GetTimestamp() < deadline) Thread.Yield();
            WorkLane lane;
            SubEnvWork work;
            lock (gate)
            {
                while (!TryTake(out lane, out work))
                {
                    if (stopping) return;
                    Monitor.Wait(gate);
                }
            }

            // Hands each result in and takes the next sub-env under one lock, until none is left.
            while (true)
            {
                var result = work.Run(lane.Session.Vector!);
                lock (gate)
                {
                    Finish(lane, result);
                    if (!TryTake(out lane, out work)) break;
                }
            }
        }
    }

    /// <summary>The next sub-env to run, from the lane whose turn it is (a turn is one batch); under the lock.</summary>
    private bool TryTake(out WorkLane lane, out SubEnvWork work)
    {
        while (turns.TryPeek(out lane!))
        {
            if (lane.Pending.TryDequeue(out work))
            {
                pendingCount--;
                lane.Running++;
                if (lane.Pending.Count == 0) EndTurn(requeue: false);
                else if (++takenThisTurn >= lane.TurnSize) EndTurn(requeue: true);
                return true;
            }

            // Drained or abandoned since it queued for its turn.
            EndTurn(requeue: false);
        }

        work = default;
        return false;
    }

    private void EndTurn(bool requeue)
    {
        var lane = turns.Dequeue();
        takenThisTurn = 0;
        if (requeue) turns.Enqueue(lane);
        else lane.InTurns = false;
    }

    /// <summary>A sub-env finished on some thread: its result waits for the loop, which is woken if it asked for it; under the lock.</summary>
    private void Finish(WorkLane lane, SubEnvResult result)
    {
        lane.Running--;
        // Wakes the workers waiting for work too; they wait again. Rare: a reset or close with work in flight.
        if (lane.Running == 0 && loopWaiting) Monitor.PulseAll(gate);
        if (lane.Abandoned) return;
        finished.Add((lane, result));
        if (++lane.Finished >= lane.WakeAt) Signal();
    }

    private void Signal()
    {
        if (signalled) return;
        signalled = true;
        signal();
    }
}

/// <summary>
/// One vector env's work at the <see cref="VectorWorkRunner"/>: its sub-envs waiting for a worker and the counts the
/// runner keeps. Fields marked "under the lock" belong to the runner's lock; <see cref="Outstanding"/> to the loop thread.
/// </summary>
internal sealed class WorkLane(VectorWorkRunner runner, ClientSession client, EnvSession session)
{
    /// <summary>The runner the lane belongs to.</summary>
    public VectorWorkRunner Runner { get; } = runner;

    /// <summary>The client that holds the vector env.</summary>
    public ClientSession Client { get; } = client;

    /// <summary>The vector env whose sub-envs the work runs on.</summary>
    public EnvSession Session { get; } = session;

    /// <summary>How many sub-envs it runs before another lane gets its turn: one batch.</summary>
    public int TurnSize { get; } = session.Queue!.BatchSize;

    /// <summary>Work posted and not yet taken back (loop thread).</summary>
    public int Outstanding { get; set; }

    // Under the runner's lock.
    internal Queue<SubEnvWork> Pending { get; } = new();

    internal int Running { get; set; }

    internal int Finished { get; set; }

    internal int WakeAt { get; set; } = int.MaxValue;

    internal bool InTurns { get; set; }

    internal bool Abandoned { get; set; }
}
