using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>
/// A real server whose expensive sub-envs step on worker threads (SPEC.md §3.4): its loop keeps serving while they run.
/// The env here waits at a gate the test opens, so "while a sub-env steps" is a fact the test holds, not a race.
/// </summary>
public sealed class WorkerThreadTests : IDisposable
{
    private static readonly ClientOptions Quick = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Gate gate = new();
    private readonly TestServer server;

    public WorkerThreadTests()
    {
        var registry = BuiltInEnvs.CreateRegistry();
        registry.Register(new EnvSpec(GatedEnv.Id, (_, _) => new GatedEnv(gate), new Dictionary<string, object?>(), null, null, [], 30, "waits at the test's gate on action 1"));
        server = new TestServer(registry: registry);
    }

    public void Dispose()
    {
        gate.Open();
        server.Dispose();
    }

    [Fact]
    public void WhileSubEnvsStep_TheServerAnswersAnotherClient()
    {
        using var slow = WarmedUp(numEnvs: 2, batchSize: 2);
        slow.Send(Actions(GatedEnv.WaitAtGate, GatedEnv.WaitAtGate), [0, 1]);
        gate.WaitUntilStepping(2);

        using (var other = RemoteEnv.Make("CartPole-v1", server.Address, options: Quick))
        {
            other.Reset(seed: 0);
            other.Step(0L);
        }

        Assert.Equal(2, gate.Stepping);
        gate.Open();
        Assert.Equal([0, 1], slow.Receive().EnvIds.Order());
    }

    [Fact]
    public void ARecvIsAnswered_AsSoonAsItsBatchIsDone_WhileAnotherSubEnvStillSteps()
    {
        using var slow = WarmedUp(numEnvs: 2, batchSize: 1);
        // Sub-env 1 first: run one after the other, it would hold up sub-env 0 and the reply.
        slow.Send(Actions(GatedEnv.WaitAtGate, 0), [1, 0]);

        Assert.Equal([0], slow.Receive().EnvIds);
        Assert.Equal(1, gate.Stepping);
        gate.Open();
        Assert.Equal([1], slow.Receive().EnvIds);
    }

    [Fact]
    public async Task Close_WithSubEnvsStepping_WaitsForThem_BeforeTheEnvIsDisposed()
    {
        var slow = WarmedUp(numEnvs: 2, batchSize: 2);
        slow.Send(Actions(GatedEnv.WaitAtGate, GatedEnv.WaitAtGate), [0, 1]);
        gate.WaitUntilStepping(2);

        var closed = Task.Run(slow.Dispose);

        Assert.NotSame(closed, await Task.WhenAny(closed, Task.Delay(300)));
        gate.Open();
        await closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, gate.DisposedWhileStepping);
        Assert.Equal(2, gate.Disposed);
    }

    /// <summary>
    /// A vector env of gated envs, reset and stepped until the server times its steps as expensive (each takes a
    /// millisecond): from then on its sub-envs step on the worker threads.
    /// </summary>
    private RemoteVectorEnv WarmedUp(int numEnvs, int batchSize)
    {
        var envs = RemoteVectorEnv.Make(GatedEnv.Id, numEnvs, server.Address, options: Quick, batchSize: batchSize);
        envs.AsyncReset(seed: 0);
        var all = Enumerable.Range(0, numEnvs).ToArray();
        for (int round = 0; round < 8; round++)
        {
            for (int received = 0; received < numEnvs; received += batchSize) envs.Receive();
            envs.Send(Actions(new long[numEnvs]), all);
        }

        for (int received = 0; received < numEnvs; received += batchSize) envs.Receive();
        return envs;
    }

    private static NDArray Actions(params long[] actions) => NDArray.From(actions, actions.Length);

    /// <summary>What the gated envs of one test share: the gate, and counts of what they are doing.</summary>
    private sealed class Gate
    {
        private readonly ManualResetEventSlim open = new();
        private int stepping;

        public int Stepping => Volatile.Read(ref stepping);

        public int Disposed;

        public int DisposedWhileStepping;

        public void Open() => open.Set();

        /// <summary>Waits at the gate (a step of action 1), counted as stepping meanwhile.</summary>
        public void Pass()
        {
            Interlocked.Increment(ref stepping);
            try
            {
                if (!open.Wait(TimeSpan.FromSeconds(20))) throw new TimeoutException("the test never opened the gate");
            }
            finally
            {
                Interlocked.Decrement(ref stepping);
            }
        }

        public void WaitUntilStepping(int count)
        {
            Assert.True(SpinWait.SpinUntil(() => Stepping == count, TimeSpan.FromSeconds(10)), $"{count} sub-envs should be waiting at the gate; {Stepping} are");
        }

        public void Disposing()
        {
            Interlocked.Increment(ref Disposed);
            if (Stepping > 0) Interlocked.Increment(ref DisposedWhileStepping);
        }
    }

    /// <summary>An env whose step takes a millisecond (expensive enough for the worker threads), or on action 1 waits at the gate.</summary>
    private sealed class GatedEnv(Gate gate) : Env
    {
        public const string Id = "Gated-v0";
        public const long WaitAtGate = 1;

        public override Space ObservationSpace { get; } = new Box(0, 1, [1], DType.Float32);

        public override Space ActionSpace { get; } = new Discrete(2);

        public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) => new(NDArray.Zeros(DType.Float32, 1), Info.Empty);

        public override StepResult Step(object action)
        {
            if ((long)action == WaitAtGate) gate.Pass();
            else Thread.Sleep(1);
            return new StepResult(NDArray.Zeros(DType.Float32, 1), 1, false, false, Info.Empty);
        }

        public override void Dispose()
        {
            gate.Disposing();
            base.Dispose();
        }
    }
}
