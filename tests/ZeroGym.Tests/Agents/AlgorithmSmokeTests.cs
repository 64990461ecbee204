using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Protocol.Arrays;
using ZeroGym.Tests.Server;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// Each algorithm runs a few hundred steps on CartPole through a real server, with options small enough that
/// gradient steps, evaluations and checkpoints all happen; then its greedy policy is loaded back as play does.
/// Learning itself is proven by training runs (scripts/train), not here.
/// </summary>
public sealed class AlgorithmSmokeTests
{
    public static TheoryData<string, object, int> SmallRuns() => new()
    {
        { "dqn", new Dqn.Options { LearningStarts = 50, BufferSize = 500, BatchSize = 16, TargetNetworkFrequency = 50, CheckpointEvery = 100, HiddenSizes = [16] }, 1 },
        { "ddqn", new Dqn.Options { Double = true, LearningStarts = 50, BufferSize = 500, BatchSize = 16, TargetNetworkFrequency = 50, CheckpointEvery = 100, HiddenSizes = [16] }, 1 },
        { "reinforce", new Reinforce.Options { HiddenSizes = [16], CheckpointEvery = 100 }, 1 },
        { "a2c", new A2c.Options { HiddenSizes = [16], CheckpointEvery = 100 }, 4 },
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
