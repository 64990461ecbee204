using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Tests.Server;
using ZeroGym.Tests.Torch;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// Each algorithm runs a few hundred steps on CartPole through a real server, with options small enough that
/// gradient steps, evaluations and checkpoints all happen; then its greedy policy is loaded back as play does.
/// Learning itself is proven by training runs (scripts/train), not here.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class AlgorithmSmokeTests
{
    public static TheoryData<string, object, int> SmallRuns() => new()
    {
        { "dqn", new Dqn.Options { LearningStarts = 50, BufferSize = 500, BatchSize = 16, TargetNetworkFrequency = 50, CheckpointEvery = 100, HiddenSizes = [16] }, 1 },
        { "ddqn", new Dqn.Options { Double = true, LearningStarts = 50, BufferSize = 500, BatchSize = 16, TargetNetworkFrequency = 50, CheckpointEvery = 100, HiddenSizes = [16] }, 1 },
        { "reinforce", new Reinforce.Options { HiddenSizes = [16], CheckpointEvery = 100 }, 1 },
        { "a2c", new A2c.Options { HiddenSizes = [16], CheckpointEvery = 100 }, 4 },
        { "ppo", new Ppo.Options { HiddenSizes = [16], StepsPerRollout = 25, UpdateEpochs = 2, CheckpointEvery = 100 }, 4 },
    };

    [Theory]
    [MemberData(nameof(SmallRuns))]
    public void Algorithm_TrainsAFewHundredSteps_AndItsGreedyPolicyPlays(string algo, object options, int numEnvs)
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var common = new TrainOptions(algo, "CartPole-v1", server.Address, numEnvs, TotalSteps: 400, Seed: 5, runDir, "cpu",
            Resume: false, EvalEvery: 200, EvalEpisodes: 2);

        using (var run = Run.Start(common, options, TextWriter.Null))
        {
            Algorithms.Find(algo).Train(run);
            run.Finish();
        }

        var losses = File.ReadAllLines(Path.Combine(runDir, "losses.csv"));
        Assert.True(losses.Length > 1, $"{algo} logged no loss in 400 steps: no gradient step happened");
        Assert.All(losses.Skip(1), row => Assert.All(row.Split(',').Skip(1), value => Assert.True(double.IsFinite(double.Parse(value)), $"{algo} logged {row}")));
        Assert.True(File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length >= 2, $"{algo} never evaluated");
        Assert.NotNull(Checkpoints.Latest(runDir));

        var greedy = Algorithms.Find(algo).LoadGreedy(runDir, "cpu");
        using var env = RemoteEnv.Make("CartPole-v1", server.Address);
        var result = Evaluation.PlayEpisode(env, greedy, seed: 0);
        Assert.InRange(result.Length, 1, 500);
        Assert.True(env.ActionSpace.Contains(greedy(env.Reset(seed: 1).Observation)));
    }

    public static TheoryData<string, object> ContinuousRuns() => new()
    {
        { "ddpg", new Ddpg.Options { LearningStarts = 100, BufferSize = 1_000, BatchSize = 16, HiddenSizes = [16], CheckpointEvery = 200 } },
        { "td3", new Td3.Options { LearningStarts = 100, BufferSize = 1_000, BatchSize = 16, HiddenSizes = [16], CheckpointEvery = 200 } },
        { "sac", new Sac.Options { LearningStarts = 100, BufferSize = 1_000, BatchSize = 16, HiddenSizes = [16], CheckpointEvery = 200 } },
    };

    [Theory]
    [MemberData(nameof(ContinuousRuns))]
    public void ContinuousAlgorithm_TrainsAFewHundredStepsOnPendulum_AndItsGreedyPolicyPlays(string algo, object options)
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var common = new TrainOptions(algo, "Pendulum-v1", server.Address, 1, TotalSteps: 400, Seed: 5, runDir, "cpu",
            Resume: false, EvalEvery: 200, EvalEpisodes: 1);

        using (var run = Run.Start(common, options, TextWriter.Null))
        {
            Algorithms.Find(algo).Train(run);
            run.Finish();
        }

        var losses = File.ReadAllLines(Path.Combine(runDir, "losses.csv"));
        Assert.Equal(4, losses.Length); // header, steps 200, 300 and 400
        Assert.All(losses.Skip(1), row => Assert.All(row.Split(',').Skip(1), value => Assert.True(double.IsFinite(double.Parse(value)), $"{algo} logged {row}")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Length);

        var greedy = Algorithms.Find(algo).LoadGreedy(runDir, "cpu");
        using var env = RemoteEnv.Make("Pendulum-v1", server.Address);
        var result = Evaluation.PlayEpisode(env, greedy, seed: 0);
        Assert.Equal(200, result.Length);
        var action = Assert.IsType<float[]>(greedy(env.Reset(seed: 1).Observation));
        Assert.True(env.ActionSpace.Contains(BoxActions.ToWire(action)), $"{algo} chose {action[0]} outside [-2, 2]");
    }

    [Fact]
    public void Td3_TrainsOnHalfCheetahsFloat64Observations_AndPlaysSixTorques()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var options = new Td3.Options { LearningStarts = 100, BufferSize = 1_000, BatchSize = 16, HiddenSizes = [16], CheckpointEvery = 1_000 };
        var common = new TrainOptions("td3", "HalfCheetah-v5", server.Address, 1, TotalSteps: 300, Seed: 2, runDir, "cpu",
            Resume: false, EvalEvery: 0, EvalEpisodes: 1);

        using (var run = Run.Start(common, options, TextWriter.Null))
        {
            Algorithms.Find("td3").Train(run);
        }

        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "losses.csv")).Length); // header, steps 200 and 300
        var greedy = Algorithms.Find("td3").LoadGreedy(runDir, "cpu");
        using var env = RemoteEnv.Make("HalfCheetah-v5", server.Address);
        var observation = (NDArray)env.Reset(seed: 0).Observation;
        var action = Assert.IsType<float[]>(greedy(observation));
        Assert.Equal(DType.Float64, observation.DType);
        Assert.Equal(6, action.Length);
        Assert.True(env.ActionSpace.Contains(BoxActions.ToWire(action)));
    }

    [Theory]
    [InlineData("ddpg", "CartPole-v1", "ddpg needs a Box action space (float32, one dimension); CartPole-v1 has Discrete(2)")]
    [InlineData("td3", "CartPole-v1", "td3 needs a Box action space (float32, one dimension); CartPole-v1 has Discrete(2)")]
    [InlineData("sac", "CartPole-v1", "sac needs a Box action space (float32, one dimension); CartPole-v1 has Discrete(2)")]
    [InlineData("dqn", "Pendulum-v1", "DQN needs a Discrete action space; Pendulum-v1 has Box(-2.0, 2.0, (1,), float32)")]
    public void Algorithm_OnTheWrongKindOfActionSpace_SaysWhatItNeedsAndWhatTheEnvHas(string algo, string envId, string message)
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        var common = new TrainOptions(algo, envId, server.Address, 1, TotalSteps: 10, Seed: 1, directory.Combine("run"), "cpu",
            Resume: false, EvalEvery: 0, EvalEpisodes: 1);
        using var run = Run.Start(common, Algorithms.Find(algo).DefaultOptions(), TextWriter.Null);

        var error = Assert.Throws<AgentException>(() => Algorithms.Find(algo).Train(run));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [MemberData(nameof(ContinuousRuns))]
    public void ContinuousAlgorithm_ResumedAfterACheckpoint_EndsExactlyAsAnUninterruptedRun(string algo, object options)
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        TrainOptions Common(string runDir, long totalSteps, bool resume) =>
            new(algo, "Pendulum-v1", server.Address, 1, totalSteps, Seed: 7, runDir, "cpu", resume, EvalEvery: 300, EvalEpisodes: 1);
        void Train(TrainOptions common)
        {
            using var run = Run.Start(common, options, TextWriter.Null);
            Algorithms.Find(algo).Train(run);
        }

        string whole = directory.Combine("whole"), resumed = directory.Combine("resumed");
        Train(Common(whole, 600, resume: false));
        // Killed after step 400: the periodic checkpoint of step 200 remains, not the final one of a finished run.
        Train(Common(resumed, 400, resume: false));
        string checkpoints = Path.Combine(resumed, Checkpoints.FolderName);
        var saved = Directory.GetDirectories(checkpoints).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["step-000000000200", "step-000000000400"], saved.Select(Path.GetFileName));
        Directory.Delete(saved[^1], recursive: true);
        File.WriteAllText(Path.Combine(checkpoints, Checkpoints.LatestFile), Path.GetFileName(saved[^2]) + "\n");
        Train(Common(resumed, 600, resume: true));

        foreach (string file in new[] { "metrics.csv", "losses.csv", "eval.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(resumed, file)));
        }

        foreach (string file in new[] { ModelFiles.ModelFile, ModelFiles.OptimizerFile })
        {
            Assert.Equal(
                File.ReadAllBytes(Path.Combine(Checkpoints.Latest(whole)!, file)),
                File.ReadAllBytes(Path.Combine(Checkpoints.Latest(resumed)!, file)));
        }
    }

    [Fact]
    public void Dqn_ResumedAfterACheckpoint_EndsExactlyAsAnUninterruptedRun()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        var options = new Dqn.Options { LearningStarts = 50, BufferSize = 500, BatchSize = 16, TargetNetworkFrequency = 50, CheckpointEvery = 150, HiddenSizes = [16], StopWhenSolved = false };
        TrainOptions Common(string runDir, long totalSteps, bool resume) =>
            new("dqn", "CartPole-v1", server.Address, 1, totalSteps, Seed: 7, runDir, "cpu", resume, EvalEvery: 300, EvalEpisodes: 2);
        void Train(TrainOptions common)
        {
            using var run = Run.Start(common, options, TextWriter.Null);
            Algorithms.Find("dqn").Train(run);
        }

        string whole = directory.Combine("whole"), resumed = directory.Combine("resumed");
        Train(Common(whole, 600, resume: false));
        // A run killed after step 200 leaves its periodic checkpoints (taken at episode ends) and logs beyond them, but
        // not the final checkpoint a finished run writes: remove that one to stand for the kill.
        Train(Common(resumed, 200, resume: false));
        string checkpoints = Path.Combine(resumed, Checkpoints.FolderName);
        var saved = Directory.GetDirectories(checkpoints).Order(StringComparer.Ordinal).ToList();
        Assert.True(saved.Count >= 2, "the short run should have a periodic and a final checkpoint");
        Directory.Delete(saved[^1], recursive: true);
        File.WriteAllText(Path.Combine(checkpoints, Checkpoints.LatestFile), Path.GetFileName(saved[^2]) + "\n");
        Train(Common(resumed, 600, resume: true));

        foreach (string file in new[] { "metrics.csv", "losses.csv", "eval.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(resumed, file)));
        }

        Assert.Equal(
            File.ReadAllBytes(Path.Combine(Checkpoints.Latest(whole)!, ModelFiles.ModelFile)),
            File.ReadAllBytes(Path.Combine(Checkpoints.Latest(resumed)!, ModelFiles.ModelFile)));
    }
}
