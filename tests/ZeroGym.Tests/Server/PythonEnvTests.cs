using System.Diagnostics;
using System.Text.RegularExpressions;
using ZeroGym.Arrays;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.EnvServer.Python;
using ZeroGym.Spaces;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Server;

/// <summary>
/// <c>--python-env</c>: the toy envs of tests/python_envs served by Python worker processes, driven through the C#
/// client (tests/python/test_python_envs.py drives them through the Python client and the server process).
/// </summary>
public sealed class PythonEnvTests : IDisposable
{
    internal static readonly PythonEnvOptions Options = new()
    {
        SearchPath = [Path.Combine(RepositoryRoot.Path, "tests", "python_envs")],
        Workers = 2,
        StepTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Long enough for Python to start on a machine shared by several builds; only a failure waits this long.</summary>
    private static readonly TimeSpan PatienceForWorkers = TimeSpan.FromSeconds(90);

    private readonly PythonEnvs python = new(Options);

    /// <summary>Workers whose calls may take 30 s: for a test that holds a call as long as it needs.</summary>
    private readonly Lazy<PythonEnvs> patientPython = new(() => new PythonEnvs(Options with { StepTimeout = TimeSpan.FromSeconds(30) }));

    public void Dispose()
    {
        python.Dispose();
        if (patientPython.IsValueCreated) patientPython.Value.Dispose();
    }

    private EnvRegistry Registry(params string[] definitions) => Registry(python, definitions);

    private EnvRegistry PatientRegistry(params string[] definitions) => Registry(patientPython.Value, definitions);

    private static EnvRegistry Registry(PythonEnvs envs, string[] definitions)
    {
        var registry = BuiltInEnvs.CreateRegistry();
        foreach (string definition in definitions) envs.Register(registry, PythonEnvDefinition.Parse(definition));
        return registry;
    }

    /// <summary>
    /// Work a test runs beside its own on a thread of its own: neither waits for a thread-pool thread, which a busy
    /// test run may not have free for seconds.
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Fact]
    public void Make_TakesAWorkerStartedAhead_WhichEndsWithTheEnv_AndThePoolRefillsWithNewOnes()
    {
        var registry = Registry("Counter-v0=toy_envs:Counter");
        var pool = python.PoolOf("Counter-v0");
        var warm = WaitForIdleWorkers(pool, Options.WarmWorkers);
        using var server = new TestServer(registry: registry);

        int used;
        using (var env = RemoteEnv.Make("Counter-v0", server.Address))
        {
            env.Reset(seed: 1);
            env.Step(2L);
            used = Assert.Single(WorkerPids(server.LogText()));
            Assert.Contains(used, warm);
            Assert.DoesNotContain(used, pool.IdleProcessIds);
        }

        // Its worker ran a client's env: it ends with it, and is never handed to another client.
        WaitUntil(() => HasExited(used), $"the worker {used} of a closed env to end");
        var refilled = WaitForIdleWorkers(pool, Options.WarmWorkers);
        Assert.DoesNotContain(used, refilled);
        using var next = RemoteEnv.Make("Counter-v0", server.Address);
        next.Reset(seed: 1);
        Assert.Contains(WorkerPids(server.LogText())[^1], refilled);
    }

    [Fact]
    public void VectorEnv_TakesEachOfItsWorkersFromThePool()
    {
        var registry = Registry("Counter-v0=toy_envs:Counter");
        var warm = WaitForIdleWorkers(python.PoolOf("Counter-v0"), Options.Workers);
        using var server = new TestServer(registry: registry);

        using var venv = RemoteVectorEnv.Make("Counter-v0", 4, server.Address);
        venv.Reset(seed: 0);

        Assert.Equal(warm.Order(), WorkerPidsOfVector(server.LogText()).Order());
    }

    [Fact]
    public void Dispose_EndsTheIdleWorkers()
    {
        Registry("Counter-v0=toy_envs:Counter");
        var warm = WaitForIdleWorkers(python.PoolOf("Counter-v0"), Options.WarmWorkers);

        python.Dispose();

        Assert.All(warm, pid => WaitUntil(() => HasExited(pid), $"the idle worker {pid} to end"));
    }

    [Fact]
    public void Make_WithoutWarmWorkers_StartsItsOwn()
    {
        using var cold = new PythonEnvs(Options with { WarmWorkers = 0 });
        var registry = BuiltInEnvs.CreateRegistry();
        cold.Register(registry, PythonEnvDefinition.Parse("Counter-v0=toy_envs:Counter"));
        using var server = new TestServer(registry: registry);

        using var env = RemoteEnv.Make("Counter-v0", server.Address);
        env.Reset(seed: 0);

        Assert.Single(WorkerPids(server.LogText()));
        Assert.Empty(cold.PoolOf("Counter-v0").IdleProcessIds);
    }

    private static IReadOnlyList<int> WaitForIdleWorkers(PythonWorkerPool pool, int count)
    {
        WaitUntil(() => pool.IdleProcessIds.Count == count, $"{count} idle workers of {pool.Definition.Id}");
        return pool.IdleProcessIds;
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + PatienceForWorkers;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {PatienceForWorkers.TotalSeconds} s for {what}");
            Thread.Sleep(50);
        }
    }

    private static bool HasExited(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>The worker of each single env made, in order, as the server logs it.</summary>
    private static List<int> WorkerPids(string log) =>
        [.. Regex.Matches(log, @"event=env_made .* env=Counter-v0 worker_pids=(\d+)").Select(match => int.Parse(match.Groups[1].Value))];

    /// <summary>The workers of the last vector env made, as the server logs them.</summary>
    private static int[] WorkerPidsOfVector(string log) =>
        [.. Regex.Matches(log, @"event=env_made .* num_envs=\d+ worker_pids=([\d,]+)")[^1].Groups[1].Value.Split(',').Select(int.Parse)];

    [Fact]
    public void Register_ACounterEnv_ServesItsStepsInfosAndFrames_WithItsSourceInList()
    {
        var registry = Registry("Counter-v0=toy_envs:Counter");
        Assert.Equal("python toy_envs:Counter", registry.SourceOf("Counter-v0"));
        using var server = new TestServer(registry: registry);
        using var env = RemoteEnv.Make("Counter-v0", server.Address, new Dictionary<string, object?> { ["goal"] = 2L }, renderMode: "rgb_array");

        Assert.Equal(new Box(-100, 100, [2], DType.Float32), env.ObservationSpace);
        Assert.Equal(new Discrete(3), env.ActionSpace);
        var (first, resetInfo) = env.Reset(seed: 3, new Dictionary<string, object?> { ["start"] = 1L });
        Assert.Equal(1f, ((NDArray)first).ToArray<float>()[0]);
        Assert.Equal(1L, resetInfo["start"]);
        var step = env.Step(2L);
        Assert.Equal([2f], ((NDArray)step.Observation).ToArray<float>()[..1]);
        Assert.Equal(0.2, step.Reward, 12);
        Assert.True(step.Terminated);
        Assert.Equal("step 1", step.Info["label"]);
        Assert.Equal([2L], ((NDArray)step.Info["last"]!).ToArray<long>());
        Assert.Equal([4, 6, 3], env.Render().Shape.ToArray());
        using var client = new ZeroGymClient(server.Address);
        Assert.Equal("python toy_envs:Counter", client.ListEnvs().Single(spec => spec.Id == "Counter-v0").Source);
    }

    [Fact]
    public void VectorEnv_OfAPythonEnv_AnswersAsyncSendAndReceive_FromTwoWorkers()
    {
        using var server = new TestServer(registry: Registry("Counter-v0=toy_envs:Counter"));
        using var venv = RemoteVectorEnv.Make("Counter-v0", 4, server.Address, new Dictionary<string, object?> { ["goal"] = 100L }, batchSize: 2);
        venv.Reset(seed: 0);
        Assert.Matches(@"env=Counter-v0 num_envs=4 .*worker_pids=""?\d+,\d+""?", server.LogText());

        venv.Send(NDArray.From(new long[] { 2, 2, 2, 2 }, 4), [0, 1, 2, 3]);
        var seen = new List<int>();
        for (int k = 0; k < 2; k++)
        {
            var batch = venv.Receive();
            seen.AddRange(batch.EnvIds);
            Assert.All(batch.Rewards, reward => Assert.Equal(0.1, reward, 12));
        }

        Assert.Equal([0, 1, 2, 3], seen.Order());
    }

    [Fact]
    public void TheHopToAWorker_UsesItsLocalStream_AndStaysOnZeroMQ_WhenTurnedOff()
    {
        float[] Run(PythonEnvOptions options, string transport)
        {
            var registry = BuiltInEnvs.CreateRegistry();
            using var pythonEnvs = new PythonEnvs(options);
            pythonEnvs.Register(registry, PythonEnvDefinition.Parse("Counter-v0=toy_envs:Counter"));
            using var server = new TestServer(registry: registry);
            using var env = RemoteEnv.Make("Counter-v0", server.Address, new Dictionary<string, object?> { ["goal"] = 100L });
            Assert.Matches($"event=env_made .*env=Counter-v0 .*worker_transport=\"?{transport}\"?", server.LogText());
            var observations = new List<float>(((NDArray)env.Reset(seed: 4).Observation).ToArray<float>());
            for (int t = 0; t < 20; t++) observations.AddRange(((NDArray)env.Step((long)(t % 3)).Observation).ToArray<float>());
            return [.. observations];
        }

        Assert.Equal(Run(Options with { LocalStream = false }, "zeromq"), Run(Options, "local_stream"));
    }

    [Fact]
    public void Step_ThatRaises_IsEnvFailure_WithTheExceptionsTypeAndMessage()
    {
        using var server = new TestServer(registry: Registry("Raising-v0=toy_envs:Raising"));
        using var env = RemoteEnv.Make("Raising-v0", server.Address, new Dictionary<string, object?> { ["fail_at"] = 1L });
        env.Reset(seed: 0);

        var error = Assert.Throws<ZeroGymException>(() => env.Step(1L));

        Assert.Equal(ErrorCodes.EnvFailure, error.Code);
        Assert.Contains("ValueError: boom at step 1", error.Message);
    }

    [Fact]
    public void Step_OfAHangingEnv_EndsItsWorkerAfterTheTimeout_AndTheServerGoesOn()
    {
        using var server = new TestServer(registry: Registry("Hanging-v0=toy_envs:Hanging", "Dying-v0=toy_envs:Dying"));
        using var hanging = RemoteEnv.Make("Hanging-v0", server.Address, new Dictionary<string, object?> { ["hang_at"] = 1L });
        using var dying = RemoteEnv.Make("Dying-v0", server.Address, new Dictionary<string, object?> { ["die_at"] = 1L });
        hanging.Reset();
        dying.Reset();

        var hung = Assert.Throws<ZeroGymException>(() => hanging.Step(1L));
        var died = Assert.Throws<ZeroGymException>(() => dying.Step(1L));

        Assert.Equal(ErrorCodes.EnvFailure, hung.Code);
        Assert.Contains("did not answer 'step' within 2 s and was ended", hung.Message);
        Assert.Contains("ended during 'step' with exit code 7", died.Message);
        using var cartPole = RemoteEnv.Make("CartPole-v1", server.Address);
        cartPole.Reset(seed: 0);
        cartPole.Step(1L);
    }

    [Fact]
    public async Task Step_OfAHangingEnv_HoldsUpOnlyItsOwnClient_WhileOtherClientsAndPythonEnvsAreServed()
    {
        using var server = new TestServer(registry: Registry("Hanging-v0=toy_envs:Hanging", "Counter-v0=toy_envs:Counter"));
        using var hanging = RemoteEnv.Make("Hanging-v0", server.Address, new Dictionary<string, object?> { ["hang_at"] = 1L });
        using var counter = RemoteEnv.Make("Counter-v0", server.Address, new Dictionary<string, object?> { ["goal"] = 1000L });
        using var cartPole = RemoteEnv.Make("CartPole-v1", server.Address);
        hanging.Reset();
        counter.Reset(seed: 0);

        var hung = OnOwnThread(() => Assert.Throws<ZeroGymException>(() => hanging.Step(1L)));
        // Long enough for the step to reach the server; the worker's timeout (2 s) ends it much later.
        Thread.Sleep(300);
        cartPole.Reset(seed: 0);
        for (int t = 0; t < 10; t++)
        {
            cartPole.Step((long)(t % 2));
            counter.Step(2L);
        }

        Assert.False(hung.IsCompleted, "the other envs were answered only once the hanging step had ended");
        Assert.Contains("did not answer 'step' within 2 s and was ended", (await hung).Message);
        Assert.Equal(11f, ((NDArray)counter.Step(2L).Observation).ToArray<float>()[0]);
    }

    [Fact]
    public async Task Make_OfAnEnvSlowToStart_HoldsUpOnlyItsOwnClient()
    {
        using var server = new TestServer(registry: PatientRegistry("SlowStart-v0=toy_envs:SlowStart"));
        using var hold = new HoldFile();
        hold.Hold();
        using var made = await WhileACartPoleIsServed(() => RemoteEnv.Make("SlowStart-v0", server.Address,
            new Dictionary<string, object?> { ["start_s"] = 0.0, ["hold_file"] = hold.Path }), server.Address, "the slow make had ended", hold.Release);
        made.Reset(seed: 0);
        Assert.Equal(1f, ((NDArray)made.Step(2L).Observation).ToArray<float>()[0]);
    }

    [Fact]
    public async Task Reset_OfAVectorEnvWhoseSubEnvHangs_WaitsForItOffTheLoop_WhileOtherClientsAreServed()
    {
        using var server = new TestServer(registry: Registry("Hanging-v0=toy_envs:Hanging"));
        using var envs = RemoteVectorEnv.Make("Hanging-v0", 2, server.Address, new Dictionary<string, object?> { ["hang_at"] = 1L }, batchSize: 1);
        envs.Reset(seed: 0);
        envs.Send(NDArray.From(new long[] { 1 }, 1), [0]);

        // The reset must see sub-env 0's step finished: it waits for the worker's timeout (2 s), the loop does not.
        var reset = await WhileACartPoleIsServed(() => envs.Reset(seed: 1), server.Address, "the hanging sub-env's step had ended");

        var observations = (NDArray)reset.Observations;
        Assert.Equal([2, 2], observations.Shape.ToArray());
        Assert.Contains("did not answer 'step' within 2 s", server.LogText());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reset_MakingAFailedSubEnvAnew_DoesItOffTheLoop_WhileOtherClientsAreServed(bool asynchronous)
    {
        using var server = new TestServer(registry: PatientRegistry("SlowStartRaising-v0=toy_envs:SlowStartRaising"));
        using var hold = new HoldFile();
        using var envs = MakeWithAFailedSubEnv(server.Address, hold);

        // The reset makes sub-env 0 anew, which its worker holds until the test lets go; the loop serves CartPole
        // meanwhile. An async_reset's client posts its recv with it: that batch is held behind the remake.
        hold.Hold();
        var starts = await WhileACartPoleIsServed(() => StartsAfterReset(envs, asynchronous), server.Address,
            "the failed sub-env had been made anew", hold.Release);

        // Each sub-env started as a reset with seed 1 + i starts it (the remade one included).
        var again = ((NDArray)envs.Reset(seed: 1).Observations).ToArray<float>();
        Assert.Equal(again, starts.SelectMany(start => start));
    }

    /// <summary>Each sub-env's observation after a reset with seed 1, or after an async_reset with seed 1 and its batches (of one), by env id.</summary>
    private static float[][] StartsAfterReset(RemoteVectorEnv envs, bool asynchronous)
    {
        if (!asynchronous)
        {
            var observations = ((NDArray)envs.Reset(seed: 1).Observations).ToArray<float>();
            return [observations[..2], observations[2..]];
        }

        envs.AsyncReset(seed: 1);
        var starts = new float[2][];
        for (int k = 0; k < 2; k++)
        {
            var batch = envs.Receive();
            starts[batch.EnvIds.Single()] = ((NDArray)batch.Observations).ToArray<float>();
        }

        return starts;
    }

    /// <summary>A 2-env vector of SlowStartRaising held by <paramref name="hold"/>, whose sub-env 0 failed at its first step.</summary>
    private static RemoteVectorEnv MakeWithAFailedSubEnv(string address, HoldFile hold)
    {
        var envs = RemoteVectorEnv.Make("SlowStartRaising-v0", 2, address,
            new Dictionary<string, object?> { ["start_s"] = 0.0, ["hold_file"] = hold.Path, ["fail_at"] = 1L }, batchSize: 1);
        envs.Reset(seed: 0);
        envs.Send(NDArray.From(new long[] { 1 }, 1), [0]);
        var failure = Assert.Throws<SubEnvException>(() => envs.Receive());
        Assert.Contains("ValueError: boom at step 1", failure.Message);
        return envs;
    }

    /// <summary>
    /// Runs <paramref name="slowCall"/> on another thread and, while it waits for its slow part, has a CartPole made and
    /// stepped by another client: the call must still be going when CartPole is done. Then ends the slow part, if asked.
    /// </summary>
    private static async Task<T> WhileACartPoleIsServed<T>(Func<T> slowCall, string address, string slowPart, Action? endSlowPart = null)
    {
        var call = OnOwnThread(slowCall);
        Thread.Sleep(300);
        using (var cartPole = RemoteEnv.Make("CartPole-v1", address, options: new ClientOptions { Timeout = TimeSpan.FromSeconds(10) }))
        {
            cartPole.Reset(seed: 0);
            cartPole.Step(1L);
        }

        Assert.False(call.IsCompleted, $"CartPole was served only once {slowPart}");
        endSlowPart?.Invoke();
        return await call;
    }

    /// <summary>A file that holds the construction of toy_envs.SlowStart (its <c>hold_file</c>) while it exists.</summary>
    private sealed class HoldFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"zerogym-hold-{Guid.NewGuid():N}");

        public void Hold() => File.WriteAllText(Path, "");

        public void Release() => File.Delete(Path);

        public void Dispose() => Release();
    }

    [Fact]
    public void AnIdleClientsVectorEnv_WithASubEnvHanging_IsClosedWithoutHoldingTheServer()
    {
        using var server = new TestServer(new ServerOptions { IdleTimeout = TimeSpan.FromSeconds(1) }, PatientRegistry("Hanging-v0=toy_envs:Hanging"));
        // A batch of 2 and one sub-env sent: the client posts no recv ahead, so nothing of it waits for the server.
        using var envs = RemoteVectorEnv.Make("Hanging-v0", 2, server.Address, new Dictionary<string, object?> { ["hang_at"] = 1L }, batchSize: 2);
        envs.Reset(seed: 0);
        envs.Send(NDArray.From(new long[] { 1 }, 1), [0]);

        // The client goes silent: the idle sweep closes its vector env while sub-env 0 hangs (for 30 s, if let be).
        // Idle after 1 s, swept within another: well before the step's 30 s, which the loop would wait out otherwise.
        Assert.True(SpinWait.SpinUntil(() => server.LogText().Contains("reason=idle"), TimeSpan.FromSeconds(15)), "the vector env was not closed within 15 s");
        using var cartPole = RemoteEnv.Make("CartPole-v1", server.Address, options: new ClientOptions { Timeout = TimeSpan.FromSeconds(10) });
        cartPole.Reset(seed: 0);
        cartPole.Step(1L);
    }

    [Fact]
    public void AClientWhoseRecvWaitsForAHangingSubEnv_IsNotIdle_AndGetsTheSubEnvsFailure()
    {
        using var server = new TestServer(new ServerOptions { IdleTimeout = TimeSpan.FromSeconds(1) }, Registry("Hanging-v0=toy_envs:Hanging"));
        using var envs = RemoteVectorEnv.Make("Hanging-v0", 2, server.Address, new Dictionary<string, object?> { ["hang_at"] = 1L }, batchSize: 1,
            options: new ClientOptions { Timeout = TimeSpan.FromSeconds(20) });
        envs.Reset(seed: 0);
        envs.Send(NDArray.From(new long[] { 1 }, 1), [0]);

        // The batch comes with the worker's timeout (2 s), after the idle timeout (1 s): the client waited all along.
        var failure = Assert.Throws<SubEnvException>(() => envs.Receive());

        Assert.Contains("did not answer 'step' within 2 s", Assert.Single(failure.Errors).Message);
        Assert.DoesNotContain("reason=idle", server.LogText());
    }

    [Theory]
    [InlineData("Text-v0=toy_envs:TextObservation", "--python-env Text-v0=toy_envs:TextObservation: env 'Text-v0' cannot be made: Text-v0: its observation_space: Text(1, 8) has no ZeroGym wire form")]
    [InlineData("Broken-v0=toy_envs:broken_factory", "--python-env Broken-v0=toy_envs:broken_factory: env 'Broken-v0' cannot be made: Broken-v0 cannot be made: RuntimeError: no simulator licence found")]
    [InlineData("CartPole-v1=toy_envs:Counter", "--python-env CartPole-v1=toy_envs:Counter: env 'CartPole-v1' is already registered")]
    public void Register_OfAnEnvThatCannotBeServed_NamesTheEnvAndThePythonError(string definition, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Registry(definition));

        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("Bad-v0=toy_envs")]
    [InlineData("Bad-v0=:Counter")]
    [InlineData("=toy_envs:Counter")]
    public void Parse_OfNeitherForm_SaysWhatWasExpected(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => PythonEnvDefinition.Parse(text));

        Assert.Contains("takes ENV_ID=MODULE:ATTR", error.Message);
    }

    [Fact]
    public void Parse_OfAGymnasiumId_MakesItWithGymnasium()
    {
        var definition = PythonEnvDefinition.Parse("FrozenLake-v1");

        Assert.True(definition.FromGymnasium);
        Assert.Equal("python gymnasium", definition.Source);
        Assert.Equal("FrozenLake-v1", definition.ToString());
    }
}
