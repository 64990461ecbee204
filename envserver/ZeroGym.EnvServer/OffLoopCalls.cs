using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace ZeroGym.EnvServer;

/// <summary>
/// Runs the calls of envs that live in worker processes (Python envs, NES envs) on caller threads of its own, so
/// that a slow or hanging env holds up only the client that called it. The loop thread waits a short grace for each
/// call: most finish within it (a quick Python env's step), and the loop answers at once, as if it had made the call.
/// A call that takes longer is left to run: the loop goes on serving everyone else, and the call's outcome comes back
/// to it later (<see cref="RunFinished"/>, after the wake-up <c>wakeLoop</c> sends). An env whose last call took
/// longer than the grace is not waited for at all (<see cref="Pace"/>): the loop would only lose the grace.
/// </summary>
/// <remarks>
/// Who owns what: the call runs on a caller thread while its env belongs to it (the server takes no other request for
/// that client meanwhile, see <see cref="RequestHandler"/>); everything else, the outcome's handling included, is
/// the loop thread's.
/// </remarks>
/// <param name="grace">How long the loop waits for a call before it leaves it to run; zero leaves every call at once.</param>
/// <param name="wakeLoop">Wakes the loop thread; called from caller threads, so it must be safe to call from any thread.</param>
internal sealed class OffLoopCalls(TimeSpan grace, Action wakeLoop)
{
    /// <summary>What the server waits by default: longer than a quick Python step's round trip to its worker, far shorter than a NES step.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMicroseconds(300);

    // The threads that make the calls: started as needed (a hanging call keeps one), ended after a while idle. An idle
    // one first spins for the next call (a client stepping in a loop sends it within tens of microseconds), then sleeps.
    private static readonly long CallerSpinTicks = Stopwatch.Frequency / 10_000;
    private static readonly TimeSpan CallerIdleLifetime = TimeSpan.FromSeconds(10);

    private readonly long graceTicks = (long)(grace.TotalSeconds * Stopwatch.Frequency);
    private readonly ConcurrentQueue<Action> finished = new();
    private readonly Action wakeLoop = wakeLoop;
    private int running;
    private readonly ConcurrentQueue<ICall> calls = new();
    private readonly SemaphoreSlim callWaiting = new(0);
    private int idleCallers;
    private int spinningCallers;

    /// <summary>Calls left to run whose outcome the loop has not handled yet (loop thread only): while 0, no wake-up comes.</summary>
    public int Outstanding { get; private set; }

    /// <summary>
    /// Runs <paramref name="call"/> on a caller thread and waits for it up to the grace (loop thread). Returns its outcome,
    /// a function that gives the result or rethrows the call's exception, when it finished within the grace; else null,
    /// and <paramref name="finish"/> is given the outcome later, on the loop thread.
    /// </summary>
    /// <param name="pace">The env's pace, which the call updates.</param>
    public Func<T>? Run<T>(Func<T> call, Pace pace, Action<Func<T>> finish)
    {
        var pending = new PendingCall<T>(this, call, pace);
        Interlocked.Increment(ref running);
        Post(pending);
        if (pending.WaitFor(pace.Slow ? 0 : graceTicks)) return pending.Outcome;

        Outstanding++;
        pending.Finish = () =>
        {
            Outstanding--;
            finish(pending.Outcome);
        };
        // Published before the call's thread can see it: it hands the outcome to the loop itself from now on.
        if (pending.TryLeave()) return null;

        // It finished between the wait and the leaving: the outcome is here after all.
        Outstanding--;
        return pending.Outcome;
    }

    /// <summary>Hands the outcome of every call left to run that finished to its handler (loop thread).</summary>
    public void RunFinished()
    {
        while (finished.TryDequeue(out var handle)) handle();
    }

    /// <summary>Waits until no call runs on a caller thread, at most <paramref name="timeout"/> (server shutdown); whether none does.</summary>
    public bool WaitUntilNoneRuns(TimeSpan timeout) => SpinWait.SpinUntil(() => Volatile.Read(ref running) == 0, timeout);

    private void Post(ICall call)
    {
        calls.Enqueue(call);
        if (Volatile.Read(ref spinningCallers) > 0) return;
        if (Volatile.Read(ref idleCallers) > 0) callWaiting.Release();
        else new Thread(Caller) { IsBackground = true, Name = "zerogym env call" }.Start();
    }

    private void Caller()
    {
        while (true)
        {
            while (calls.TryDequeue(out var call)) call.Complete();
            Interlocked.Increment(ref idleCallers);
            Interlocked.Increment(ref spinningCallers);
            long deadline = Stopwatch.GetTimestamp() + CallerSpinTicks;
            while (calls.IsEmpty && Stopwatch.GetTimestamp() < deadline) Thread.Yield();
            // Whoever posts from now on sees no spinner and releases the semaphore instead.
            Interlocked.Decrement(ref spinningCallers);
            bool timedOut = calls.IsEmpty && !callWaiting.Wait(CallerIdleLifetime);
            Interlocked.Decrement(ref idleCallers);
            if (timedOut && calls.IsEmpty) return;
        }
    }

    private interface ICall
    {
        void Complete();
    }

    /// <summary>How long one env's calls take, as far as the grace is concerned: written by the thread of its last call.</summary>
    public sealed class Pace
    {
        private volatile bool slow;

        /// <summary>The env's last call took longer than the grace.</summary>
        public bool Slow
        {
            get => slow;
            internal set => slow = value;
        }
    }

    /// <summary>One call: run by a caller thread, waited for (briefly) by the loop, handed over with one compare-and-swap.</summary>
    private sealed class PendingCall<T>(OffLoopCalls owner, Func<T> call, Pace pace) : ICall
    {
        private const int Running = 0, Done = 1, Left = 2;
        private int state;
        private T? result;
        private ExceptionDispatchInfo? failure;

        public Action? Finish { get; set; }

        public Func<T> Outcome => () =>
        {
            failure?.Throw();
            return result!;
        };

        public void Complete()
        {
            long started = Stopwatch.GetTimestamp();
            try
            {
                result = call();
            }
            catch (Exception error)
            {
                failure = ExceptionDispatchInfo.Capture(error);
            }

            pace.Slow = Stopwatch.GetTimestamp() - started > owner.graceTicks;

            if (Interlocked.CompareExchange(ref state, Done, Running) == Left)
            {
                owner.finished.Enqueue(Finish!);
                owner.wakeLoop();
            }

            Interlocked.Decrement(ref owner.running);
        }

        /// <summary>Spins (yielding the CPU to whoever needs it) until the call is done or <paramref name="ticks"/> passed.</summary>
        public bool WaitFor(long ticks)
        {
            if (ticks <= 0) return Volatile.Read(ref state) == Done;
            long deadline = Stopwatch.GetTimestamp() + ticks;
            while (Volatile.Read(ref state) != Done)
            {
                if (Stopwatch.GetTimestamp() >= deadline) return false;
                Thread.Yield();
            }

            return true;
        }

        /// <summary>Leaves the call to run: true unless it finished meanwhile.</summary>
        public bool TryLeave() => Interlocked.CompareExchange(ref state, Left, Running) == Running;
    }
}
