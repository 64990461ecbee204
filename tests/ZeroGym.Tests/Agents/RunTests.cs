using System.Text.Json;
using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

/// <summary>A run's directory, config and logs. These runs name a server, so none is started.</summary>
public sealed class RunTests
{
    /// <summary>An algorithm's own options, as an algorithm file declares them.</summary>
    public sealed record ExampleOptions(double LearningRate = 2.5e-4, int BufferSize = 10_000, bool Double = false);

    private static TrainOptions Options(string runDir, long seed = 1, long totalSteps = 1000, bool resume = false, long evalEvery = 100) =>
        new("dqn", "CartPole-v1", Server: "tcp://127.0.0.1:5555", NumEnvs: 1, totalSteps, seed, runDir, "cpu", resume, evalEvery, EvalEpisodes: 5);

    [Fact]
    public void Start_WritesConfigJson_WithEveryOption()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");

        using (Run.Start(Options(runDir), new ExampleOptions(Double: true), TextWriter.Null)) { }

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json")));
        var root = config.RootElement;
        Assert.Equal("dqn", root.GetProperty("algo").GetString());
        var common = root.GetProperty("common");
        Assert.Equal(
            ["algo", "env_id", "server", "num_envs", "total_steps", "seed", "run_dir", "device", "resume", "eval_every", "eval_episodes", "env_kwargs"],
            common.EnumerateObject().Select(property => property.Name));
        Assert.Equal("CartPole-v1", common.GetProperty("env_id").GetString());
        Assert.Equal(1000, common.GetProperty("total_steps").GetInt64());
        Assert.Equal(Path.GetFullPath(runDir), Path.GetFullPath(common.GetProperty("run_dir").GetString()!));
        var algorithm = root.GetProperty("algorithm");
        Assert.Equal(2.5e-4, algorithm.GetProperty("learning_rate").GetDouble());
        Assert.Equal(10_000, algorithm.GetProperty("buffer_size").GetInt32());
        Assert.True(algorithm.GetProperty("double").GetBoolean());
    }

    [Fact]
    public void AlgorithmOptions_ReadsBackWhatWasSaved()
    {
        using var directory = new TemporaryDirectory();
        var saved = new ExampleOptions(LearningRate: 1e-3, BufferSize: 77);

        using var run = Run.Start(Options(directory.Combine("run")), saved, TextWriter.Null);

        Assert.Equal(saved, run.AlgorithmOptions<ExampleOptions>());
        Assert.Equal(saved, RunConfig.Load(directory.Combine("run")).AlgorithmOptions<ExampleOptions>());
    }

    [Fact]
    public void Start_OfANewRun_InADirectoryThatHoldsFiles_AsksForResumeOrAnotherDirectory()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.Combine("notes.txt"), "mine");

        var error = Assert.Throws<AgentException>(() => Run.Start(Options(directory.Path), new ExampleOptions(), TextWriter.Null));

        Assert.Contains("not empty", error.Message);
        Assert.Contains("--resume", error.Message);
    }

    [Fact]
    public void Start_WithAnOptionOutOfRange_NamesIt()
    {
        using var directory = new TemporaryDirectory();

        var error = Assert.Throws<AgentException>(() =>
            Run.Start(Options(directory.Combine("run")) with { Device = "tpu" }, new ExampleOptions(), TextWriter.Null));

        Assert.Equal("--device must be one of cpu, cuda; got 'tpu'", error.Message);
    }

    [Fact]
    public void Logs_WriteCsvFilesWithTheirHeadersAndOneRowPerCall()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (var run = Run.Start(Options(runDir), new ExampleOptions(), TextWriter.Null))
        {
            run.LogEpisode(17, 17.0, 17);
            run.LogLosses(20, new Dictionary<string, double> { ["td_loss"] = 0.5, ["q_values"] = 1.25, ["epsilon"] = 0.9 });
            run.LogEpisode(40, 23.0, 23);
            run.LogLosses(40, new Dictionary<string, double> { ["epsilon"] = 0.8, ["td_loss"] = 0.25, ["q_values"] = 2.5 });
            run.LogEvaluation(40, [10.0, 20.0, 30.0]);
        }

        Assert.Equal(
            ["global_step,episode,episodic_return,episodic_length", "17,1,17,17", "40,2,23,23"],
            File.ReadAllLines(Path.Combine(runDir, "metrics.csv")));
        Assert.Equal(
            ["global_step,td_loss,q_values,epsilon", "20,0.5,1.25,0.9", "40,0.25,2.5,0.8"],
            File.ReadAllLines(Path.Combine(runDir, "losses.csv")));
        string[] evaluations = File.ReadAllLines(Path.Combine(runDir, "eval.csv"));
        Assert.Equal("global_step,mean_return,std_return,episodes", evaluations[0]);
        var row = evaluations[1].Split(',').Select(double.Parse).ToArray();
        Assert.Equal([40, 20, Math.Sqrt(200.0 / 3), 3], row, new ToleranceComparer(1e-12));
        Assert.True(File.Exists(Path.Combine(runDir, "learning_curve.svg")), "an evaluation redraws the learning curve");
    }

    [Fact]
    public void LogLosses_WithOtherKeysThanTheFirstRow_NamesBoth()
    {
        using var directory = new TemporaryDirectory();
        using var run = Run.Start(Options(directory.Combine("run")), new ExampleOptions(), TextWriter.Null);
        run.LogLosses(1, new Dictionary<string, double> { ["td_loss"] = 1 });

        var error = Assert.Throws<ArgumentException>(() => run.LogLosses(2, new Dictionary<string, double> { ["policy_loss"] = 1 }));

        Assert.Contains("losses.csv has the columns td_loss; this row has policy_loss", error.Message);
    }

    [Fact]
    public void LoggedRows_AreOnDiskOnceACheckpointIsSaved_ForAResumeToKeepThem()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = Run.Start(Options(runDir), new ExampleOptions(), TextWriter.Null);
        run.LogEpisode(10, 5, 10);
        run.LogLosses(10, new Dictionary<string, double> { ["td_loss"] = 0.5 });

        run.SaveCheckpoint(10, checkpoint => File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{}"));

        Assert.Equal(["global_step,episode,episodic_return,episodic_length", "10,1,5,10"], File.ReadAllLines(Path.Combine(runDir, "metrics.csv")));
        Assert.Equal(["global_step,td_loss", "10,0.5"], File.ReadAllLines(Path.Combine(runDir, "losses.csv")));
    }

    [Fact]
    public void TruncateLogsAfter_DropsTheRowsOfLaterSteps_AndTheEpisodeCountFollows()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (var run = Run.Start(Options(runDir), new ExampleOptions(), TextWriter.Null))
        {
            foreach (long step in new long[] { 10, 20, 30, 40 })
            {
                run.LogEpisode(step, step, 10);
                run.LogLosses(step, new Dictionary<string, double> { ["td_loss"] = step / 10.0 });
                run.LogEvaluation(step, [step]);
            }

            run.TruncateLogsAfter(20);
            run.LogEpisode(30, 99, 10);
        }

        Assert.Equal(
            ["global_step,episode,episodic_return,episodic_length", "10,1,10,10", "20,2,20,10", "30,3,99,10"],
            File.ReadAllLines(Path.Combine(runDir, "metrics.csv")));
        Assert.Equal(["global_step,td_loss", "10,1", "20,2"], File.ReadAllLines(Path.Combine(runDir, "losses.csv")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length);
    }

    [Fact]
    public void Resume_WithADifferentSeed_FailsNamingTheOptionAndBothValues()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (Run.Start(Options(runDir, seed: 1), new ExampleOptions(), TextWriter.Null)) { }

        var error = Assert.Throws<AgentException>(() => Run.Start(Options(runDir, seed: 2, resume: true), new ExampleOptions(), TextWriter.Null));

        Assert.Contains("--seed was 1 when the run started and is 2 now", error.Message);
    }

    [Fact]
    public void Resume_WithOtherEnvKwargs_FailsNamingBoth_ButTheSameOnesAreKept()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var kwargs = EnvKwargs.Parse(["wrappers=mario", "actions=[[\"right\"]]"]);
        using (Run.Start(Options(runDir) with { EnvKwargs = kwargs }, new ExampleOptions(), TextWriter.Null)) { }

        var other = EnvKwargs.Parse(["wrappers=atari_like"], kwargs);
        var error = Assert.Throws<AgentException>(() => Run.Start(Options(runDir, resume: true) with { EnvKwargs = other }, new ExampleOptions(), TextWriter.Null));
        using (Run.Start(Options(runDir, resume: true) with { EnvKwargs = EnvKwargs.Parse([], kwargs) }, new ExampleOptions(), TextWriter.Null)) { }

        Assert.Contains(
            "--env-kwarg was actions=[[\"right\"]] wrappers=\"mario\" when the run started and is actions=[[\"right\"]] wrappers=\"atari_like\" now",
            error.Message);
        var saved = RunConfig.Load(runDir).Common.EnvKwargs!;
        Assert.Equal(new Dictionary<string, object?> { ["wrappers"] = "mario", ["actions"] = new List<object?> { new List<object?> { "right" } } },
            EnvKwargs.ToWire(saved));
    }

    [Fact]
    public void EnvKwargs_TakeJsonOrBareWords_AndNullTakesADefaultBackOut()
    {
        var defaults = EnvKwargs.Parse(["wrappers=mario", "actions=right_only"]);

        var kwargs = EnvKwargs.ToWire(EnvKwargs.Parse(["actions=null", "frame_skip=4", "scale=0.5", "flag=true", "rom=/tmp/a b.nes"], defaults))!;

        Assert.Equal(["wrappers", "frame_skip", "scale", "flag", "rom"], kwargs.Keys);
        Assert.Equal<object?>(["mario", 4L, 0.5, true, "/tmp/a b.nes"], kwargs.Values);
        Assert.Null(EnvKwargs.ToWire(EnvKwargs.Parse(["wrappers=null", "actions=null"], defaults)));
        var error = Assert.Throws<AgentException>(() => EnvKwargs.Parse(["=mario"]));
        Assert.Equal("--env-kwarg takes NAME=VALUE, e.g. --env-kwarg wrappers=mario; got '=mario'", error.Message);
    }

    [Fact]
    public void Resume_LoweringTotalSteps_Fails_ButRaisingItIsSaved()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (Run.Start(Options(runDir, totalSteps: 1000), new ExampleOptions(), TextWriter.Null)) { }

        var error = Assert.Throws<AgentException>(() => Run.Start(Options(runDir, totalSteps: 500, resume: true), new ExampleOptions(), TextWriter.Null));
        using (var run = Run.Start(Options(runDir, totalSteps: 2000, resume: true), new ExampleOptions(), TextWriter.Null))
        {
            Assert.Equal(2000, run.Options.TotalSteps);
        }

        Assert.Contains("--total-steps was 1000 when the run started and is 500 now", error.Message);
        Assert.Equal(2000, RunConfig.Load(runDir).Common.TotalSteps);
    }

    [Fact]
    public void Resume_KeepsTheSavedAlgorithmOptions()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (Run.Start(Options(runDir), new ExampleOptions(BufferSize: 5), TextWriter.Null)) { }

        using var resumed = Run.Start(Options(runDir, resume: true), new ExampleOptions(BufferSize: 6), TextWriter.Null);

        Assert.Equal(5, resumed.AlgorithmOptions<ExampleOptions>().BufferSize);
    }

    [Fact]
    public void Resume_WithoutAConfig_SaysTheDirectoryHoldsNoRun()
    {
        using var directory = new TemporaryDirectory();

        var error = Assert.Throws<AgentException>(() => Run.Start(Options(directory.Path, resume: true), new ExampleOptions(), TextWriter.Null));

        Assert.Contains("holds no run", error.Message);
    }

    [Fact]
    public void Resume_DropsTheRowsLoggedAfterTheLatestCheckpoint()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using (var run = Run.Start(Options(runDir), new ExampleOptions(), TextWriter.Null))
        {
            run.LogEpisode(10, 1, 10);
            run.SaveCheckpoint(10, _ => { });
            run.LogEpisode(25, 2, 15); // logged, then the run was killed before its next checkpoint
        }

        using (var resumed = Run.Start(Options(runDir, resume: true), new ExampleOptions(), TextWriter.Null))
        {
            Assert.EndsWith("step-000000000010", resumed.LatestCheckpoint);
            resumed.LogEpisode(30, 3, 20);
        }

        Assert.Equal(
            ["global_step,episode,episodic_return,episodic_length", "10,1,1,10", "30,2,3,20"],
            File.ReadAllLines(Path.Combine(runDir, "metrics.csv")));
    }

    [Fact]
    public void EvaluationDue_IsTrueOncePerCrossedMultipleOfEvalEvery()
    {
        using var directory = new TemporaryDirectory();
        using var run = Run.Start(Options(directory.Combine("run"), evalEvery: 100), new ExampleOptions(), TextWriter.Null);

        // A vector env of 32 envs advances 32 steps at a time: 96 → 128 crosses 100, 192 → 224 crosses 200.
        var due = Enumerable.Range(1, 8).Select(i => i * 32L).Where(run.EvaluationDue).ToList();

        Assert.Equal([128L, 224L], due);
    }

    [Fact]
    public void EvaluationDue_WithEvalEveryZero_IsNeverTrue()
    {
        using var directory = new TemporaryDirectory();
        using var run = Run.Start(Options(directory.Combine("run"), evalEvery: 0), new ExampleOptions(), TextWriter.Null);

        Assert.DoesNotContain(Enumerable.Range(1, 1000).Select(step => (long)step), run.EvaluationDue);
    }

    [Fact]
    public void Progress_ShowsStepsEpisodesRecentReturnAndLosses()
    {
        using var directory = new TemporaryDirectory();
        var console = new StringWriter();
        using var run = Run.Start(Options(directory.Combine("run")), new ExampleOptions(), console);
        run.LogEpisode(10, 10, 10);
        run.LogEpisode(30, 20, 20);
        run.LogLosses(30, new Dictionary<string, double> { ["td_loss"] = 0.125 });

        run.Progress(30, new Dictionary<string, double> { ["epsilon"] = 0.5 });

        string line = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("step 30/1,000 (3.0%) | ", line);
        Assert.Contains("| 2 episodes | return 15 (last 2) | td_loss 0.125 | epsilon 0.5", line);
    }

    [Fact]
    public void Finish_DrawsTheCurve_AndSaysWhereEverythingIs()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var console = new StringWriter();
        using (var run = Run.Start(Options(runDir), new ExampleOptions(), console))
        {
            run.LogEpisode(10, 10, 10);
            run.SaveCheckpoint(10, _ => { });
            run.Finish();
        }

        string text = console.ToString();
        Assert.True(File.Exists(Path.Combine(runDir, "learning_curve.svg")));
        Assert.Contains("learning_curve.svg", text);
        Assert.Contains("config.json", text);
        Assert.Contains("metrics.csv", text);
        Assert.Contains("step-000000000010", text);
        Assert.Contains("scripts/play --run-dir", text);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
