using System.Collections.Concurrent;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Vector;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>The worker threads of expensive sub-envs on their own, driven as the server's loop drives them.</summary>
public sealed class VectorWorkRunnerTests
{
    private readonly ConcurrentQueue<string> stepped = new();
    private readonly ManualResetEventSlim gate = new();
    private readonly SemaphoreSlim signalled = new(0);

    [Fact]
    public void VectorEnvsTakeTurnsOfOneBatch_AndTheLoopIsWokenOnlyForTheResultsItAskedFor()
    {
        using var runner = new VectorWorkRunner(1, TimeSpan.Zero, () => signalled.Release());
        using var blocker = Session("x", numEnvs: 1, batchSize: 1);
        using var first = Session("a", numEnvs: 4, batchSize: 2);
        using var second = Session("b", numEnvs: 4, batchSize: 2);
        var (blockerLane, firstLane, secondLane) = (Lane(runner, blocker), Lane(runner, first), Lane(runner, second));
        // The one worker waits at the gate in x's step while both backlogs are posted.
        runner.Post(blockerLane, [new SubEnvWork(0, 0L, null, null, RequestId: 1)]);
        Assert.True(SpinWait.SpinUntil(() => stepped.Contains("x0"), TimeSpan.FromSeconds(10)));
        for (int i = 0; i < 4; i++) runner.Post(firstLane, [new SubEnvWork(i, 0L, null, null, RequestId: 1)]);
        for (int i = 0; i < 4; i++) runner.Post(secondLane, [new SubEnvWork(i, 0L, null, null, RequestId: 1)]);
        // The loop asks to hear of b's fourth result only: that is the last of all, so one signal, and everything is finished by then.
        runner.WakeWhenFinished(secondLane, 4);
        gate.Set();

        Assert.True(signalled.Wait(TimeSpan.FromSeconds(10)), "the runner should signal once b has 4 results");
        var finished = runner.TakeFinished().Select(item => $"{item.Lane.Client.Id}{item.Result.EnvId}").ToList();

        Assert.Equal(["x0", "a0", "a1", "b0", "b1", "a2", "a3", "b2", "b3"], finished);
        Assert.Equal(["x0", "a0", "a1", "b0", "b1", "a2", "a3", "b2", "b3"], stepped);
        Assert.Equal(0, signalled.CurrentCount);
        Assert.Equal(0, runner.Outstanding);
    }

    [Fact]
    public void Drain_RunsWhatNoWorkerStarted_OnTheCallingThread_AndWaitsForTheRest()
    {
        using var runner = new VectorWorkRunner(1, TimeSpan.Zero, () => signalled.Release());
        using var session = Session("a", numEnvs: 3, batchSize: 3);
        var lane = Lane(runner, session);
        runner.Post(lane, [new SubEnvWork(0, 0L, null, null, RequestId: 1)]);
        Assert.True(SpinWait.SpinUntil(() => stepped.Contains("a0"), TimeSpan.FromSeconds(10)));
        runner.Post(lane, [new SubEnvWork(1, 0L, null, null, RequestId: 1)]);
        runner.Post(lane, [new SubEnvWork(2, 0L, null, null, RequestId: 1)]);
        var opened = Task.Run(async () =>
        {
            await Task.Delay(100);
            gate.Set();
        });

        runner.Drain(lane);

        Assert.True(gate.IsSet, "Drain should wait for the sub-env the worker runs");
        var finished = runner.TakeFinished();
        Assert.Equal([0, 1, 2], finished.Select(item => item.Result.EnvId).Order());
        Assert.Equal(3, finished.Count);
        Assert.Equal(0, runner.Outstanding);
    }

    private static WorkLane Lane(VectorWorkRunner runner, EnvSession session)
    {
        var lane = runner.AddLane(new ClientSession(session.Spec.Id, DateTimeOffset.UnixEpoch), session);
        session.Queue!.Lane = lane;
        return lane;
    }

    /// <summary>A vector env whose sub-env i, named <paramref name="name"/> + i, writes its name on each step; "x0" waits at the gate.</summary>
    private EnvSession Session(string name, int numEnvs, int batchSize)
    {
        int made = 0;
        var spec = new EnvSpec(name, (_, _) => new RecordingEnv($"{name}{made++}", this), new Dictionary<string, object?>(), null, null, [], 30, "records its steps");
        return EnvSession.Create(1, spec, EnvKwargs.Parse(spec, null), null, numEnvs, batchSize, AutoresetMode.NextStep, new ServerOptions());
    }

    private sealed class RecordingEnv(string name, VectorWorkRunnerTests test) : Env
    {
        public override Space ObservationSpace { get; } = new Box(0, 1, [1], DType.Float32);

        public override Space ActionSpace { get; } = new Discrete(2);

        public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) => new(NDArray.Zeros(DType.Float32, 1), Info.Empty);

        public override StepResult Step(object action)
        {
            test.stepped.Enqueue(name);
            if (name is "x0" or "a0" && !test.gate.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("the test never opened the gate");
            return new StepResult(NDArray.Zeros(DType.Float32, 1), 1, false, false, Info.Empty);
        }
    }
}
