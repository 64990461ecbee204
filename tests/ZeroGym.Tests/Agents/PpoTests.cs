using System.Text.Json;
using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Tests.Server;
using ZeroGym.Tests.Torch;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// PPO's Box path (Pendulum and HalfCheetah, with normalised observations and rewards), its exact resume on both kinds
/// of action, and the CleanRL defaults it resolves per kind of action. The Discrete smoke run is in
/// <see cref="AlgorithmSmokeTests"/>; learning is proven by training runs (scripts/bench-agents ppo).
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class PpoTests
{
    /// <summary>Small enough for a few seconds: 100-step rollouts, 2 epochs of 4 minibatches, 16-wide networks.</summary>
    private static Ppo.Options Small(int stepsPerRollout) => new()
    {
        HiddenSizes = [16], StepsPerRollout = stepsPerRollout, UpdateEpochs = 2, Minibatches = 4, CheckpointEvery = 200, StopWhenSolved = false,
    };

    /// <summary>Trains ppo with <paramref name="options"/> through <paramref name="server"/>; returns the run directory.</summary>
    private static string Train(TestServer server, TemporaryDirectory directory, string envId, int numEnvs, long totalSteps, int seed,
        Ppo.Options options, long evalEvery = 0)
    {
        BuiltInAlgorithms.Register();
        string runDir = directory.Combine("run");
        var common = new TrainOptions("ppo", envId, server.Address, numEnvs, totalSteps, seed, runDir, "cpu", Resume: false, evalEvery, EvalEpisodes: 1);
        using var run = Run.Start(common, options, TextWriter.Null);
        Algorithms.Find("ppo").Train(run);
        run.Finish();
        return runDir;
    }

    [Fact]
    public void Ppo_OnPendulum_LogsCleanRLsMetrics_NormalisesBothWays_AndPlaysInsideTheBounds()
    {
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        // One checkpoint at the end: the sub-envs start afresh after each checkpoint, which would cut the 200-step episodes.
        string runDir = Train(server, directory, "Pendulum-v1", numEnvs: 2, totalSteps: 400, seed: 5,
            Small(stepsPerRollout: 50) with { CheckpointEvery = 1_000 }, evalEvery: 200);

        var losses = File.ReadAllLines(Path.Combine(runDir, "losses.csv"));
        Assert.Equal("global_step,value_loss,policy_loss,entropy,old_approx_kl,approx_kl,clipfrac,explained_variance,learning_rate", losses[0]);
        Assert.Equal(["100", "200", "300", "400"], losses.Skip(1).Select(row => row.Split(',')[0]));
        Assert.All(losses.Skip(1), row => Assert.All(row.Split(',').Skip(1), value => Assert.True(double.IsFinite(double.Parse(value)), row)));
        // Annealed from 3e-4 (ppo_continuous_action.py's) by a quarter per iteration of 100 steps.
        Assert.Equal([3e-4, 2.25e-4, 1.5e-4, 0.75e-4], losses.Skip(1).Select(row => double.Parse(row.Split(',')[^1])).ToArray(), new ToleranceComparer(1e-12));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length);
        Assert.Equal(1 + 2, File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Length); // a 200-step episode of each env

        // The Box defaults normalise observations and rewards: the statistics are in the checkpoint.
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(Checkpoints.Latest(runDir)!, "state.json")));
        var observationStatistics = state.RootElement.GetProperty("ObservationStatistics");
        Assert.Equal(3, observationStatistics.GetProperty("Mean").GetArrayLength());
        Assert.True(observationStatistics.GetProperty("Count").GetDouble() > 400, "every observation, resets included, updates the statistic");
        Assert.True(state.RootElement.GetProperty("ReturnStatistics").GetProperty("Count").GetDouble() > 300);

        var greedy = Algorithms.Find("ppo").LoadGreedy(runDir, "cpu");
        using var env = RemoteEnv.Make("Pendulum-v1", server.Address);
        Assert.Equal(200, Evaluation.PlayEpisode(env, greedy, seed: 0).Length);
        var action = Assert.IsType<float[]>(greedy(env.Reset(seed: 1).Observation));
        Assert.True(env.ActionSpace.Contains(BoxActions.ToWire(action)), $"ppo chose {action[0]} outside [-2, 2]");
    }

    [Fact]
    public void Ppo_LearnsNothingFromTheAutoresetStep_AndLogsEachEpisodeWithItsOwnLength()
    {
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        // Pendulum's episodes are 200 steps long; one env, no checkpoint (whose env reset would cut them) before the end.
        string runDir = Train(server, directory, "Pendulum-v1", numEnvs: 1, totalSteps: 600, seed: 3,
            Small(stepsPerRollout: 100) with { CheckpointEvery = 1_000 });

        // Steps 1-200 are the first episode, step 201 only resets the env (SPEC.md §2.3), steps 202-401 the second.
        var episodes = File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Skip(1).Select(row => row.Split(',')).ToList();
        Assert.Equal(["200", "401"], episodes.Select(row => row[0]));
        Assert.Equal(["200", "200"], episodes.Select(row => row[3]));
    }

    [Fact]
    public void Ppo_OnHalfCheetah_ReadsFloat64Observations_AndPlaysSixTorques()
    {
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = Train(server, directory, "HalfCheetah-v5", numEnvs: 1, totalSteps: 200, seed: 2, Small(stepsPerRollout: 100));

        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "losses.csv")).Length); // header, steps 100 and 200
        var greedy = Algorithms.Find("ppo").LoadGreedy(runDir, "cpu");
        using var env = RemoteEnv.Make("HalfCheetah-v5", server.Address);
        var observation = (NDArray)env.Reset(seed: 0).Observation;
        var action = Assert.IsType<float[]>(greedy(observation));
        Assert.Equal(DType.Float64, observation.DType);
        Assert.Equal(6, action.Length);
        Assert.True(env.ActionSpace.Contains(BoxActions.ToWire(action)));
    }

    public static TheoryData<string, int> ResumedRuns() => new()
    {
        { "CartPole-v1", 4 },  // Discrete: categorical policy, no normalisation
        { "Pendulum-v1", 1 },  // Box: Gaussian policy, observations and rewards normalised; one 200-step episode between checkpoints
    };

    [Theory]
    [MemberData(nameof(ResumedRuns))]
    public void Ppo_KilledAfterACheckpointAndResumed_EndsExactlyAsTheUninterruptedRun(string envId, int numEnvs)
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        var options = Small(stepsPerRollout: 100 / numEnvs);
        TrainOptions Common(string runDir, bool resume) =>
            new("ppo", envId, server.Address, numEnvs, TotalSteps: 600, Seed: 7, runDir, "cpu", resume, EvalEvery: 300, EvalEpisodes: 1);
        void Train(TrainOptions common)
        {
            using var run = Run.Start(common, options, TextWriter.Null);
            Algorithms.Find("ppo").Train(run);
        }

        string whole = directory.Combine("whole"), killed = directory.Combine("killed");
        Train(Common(whole, resume: false));
        // A copy stands for a run killed at step 600 just before its final checkpoint: its logs run past the
        // checkpoint of step 200 it has left, with the steps a resume must drop and log again.
        CopyDirectory(whole, killed);
        string checkpoints = Path.Combine(killed, Checkpoints.FolderName);
        var saved = Directory.GetDirectories(checkpoints).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["step-000000000200", "step-000000000400", "step-000000000600"], saved.Select(Path.GetFileName));
        foreach (string later in saved.Skip(1)) Directory.Delete(later, recursive: true);
        File.WriteAllText(Path.Combine(checkpoints, Checkpoints.LatestFile), "step-000000000200\n");
        Train(Common(killed, resume: true));

        Assert.True(File.ReadAllLines(Path.Combine(whole, "metrics.csv")).Length > 2, "the runs should end episodes after step 200");
        foreach (string file in new[] { "metrics.csv", "losses.csv", "eval.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(killed, file)));
        }

        foreach (string file in new[] { ModelFiles.ModelFile, ModelFiles.OptimizerFile, "state.json" })
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(Checkpoints.Latest(whole)!, file)),
                File.ReadAllBytes(Path.Combine(Checkpoints.Latest(killed)!, file)));
        }
    }

    [Fact]
    public void Defaults_AreCleanRLsPpoForDiscreteActions_AndPpoContinuousActionForBox()
    {
        var options = new Ppo.Options();

        var discrete = options.Resolve(boxActions: false, numEnvs: 4);
        var box = options.Resolve(boxActions: true, numEnvs: 1);

        Assert.Equal(new Ppo.Settings(2.5e-4, 128, 4, 4, 0.01, false, false), discrete);
        Assert.Equal(new Ppo.Settings(3e-4, 2048, 32, 10, 0.0, true, true), box);
        // Other env counts keep CleanRL's rollout of all envs: 512 and 2048 steps, rounded up.
        Assert.Equal(64, options.Resolve(boxActions: false, numEnvs: 8).StepsPerRollout);
        Assert.Equal(683, options.Resolve(boxActions: true, numEnvs: 3).StepsPerRollout);
    }

    [Fact]
    public void MoreMinibatchesThanTheRolloutCanFill_AreRefusedWithTheNumbers()
    {
        var options = new Ppo.Options { StepsPerRollout = 3, Minibatches = 4 };

        var error = Assert.Throws<AgentException>(() => options.Resolve(boxActions: false, numEnvs: 2));

        Assert.Equal("PPO: minibatches = 4 needs a rollout of at least 8 steps (two per minibatch); 2 env(s) × steps_per_rollout = 3 make 6", error.Message);
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (string folder in Directory.GetDirectories(source)) CopyDirectory(folder, Path.Combine(destination, Path.GetFileName(folder)));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
