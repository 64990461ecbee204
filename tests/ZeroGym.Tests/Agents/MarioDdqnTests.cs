using System.Text.RegularExpressions;
using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Tests.Envs.Nes;
using ZeroGym.Tests.Server;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// ddqn-mario through the agents' command line on the Mario-like test ROM (tests/roms/mario_like.s), played as
/// SuperMarioBros-1-1-v0 with seed 002's actions and wrappers: a few hundred steps with gradient steps, an
/// evaluation and checkpoints, a resume, then play. Learning is proven by scripts/bench-agents mario.
/// </summary>
public sealed partial class MarioDdqnTests
{
    private static (int ExitCode, string Output, string Error) Invoke(params string[] args) => CommandLineTests.Invoke(args);

    [Fact]
    public void DdqnMario_TrainsOnTheTestRom_Resumes_AndPlays()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        string[] small =
        [
            "--server", server.Address, "--env-kwarg", $"rom={TestRoms.Path(TestRoms.MarioLike)}",
            "--set", "burn_in=100", "--set", "buffer_size=1000", "--set", "checkpoint_every=50", "--set", "sync_every=60",
            "--eval-every", "150", "--eval-episodes", "1",
        ];

        var train = Invoke(["train", "ddqn-mario", "--total-steps", "200", "--run-dir", runDir, .. small]);
        Assert.True(train.ExitCode == 0, train.Error);
        var resumed = Invoke("train", "ddqn-mario", "--resume", "--total-steps", "330", "--run-dir", runDir, "--server", server.Address);
        Assert.True(resumed.ExitCode == 0, resumed.Error);

        // Seed 002's env: SuperMarioBros-1-1-v0, [right] and [right, A], the mario wrappers; the ROM given on top.
        string config = File.ReadAllText(Path.Combine(runDir, "config.json"));
        Assert.Contains("\"env_id\": \"SuperMarioBros-1-1-v0\"", config);
        Assert.Contains("\"wrappers\": \"mario\"", config);
        Assert.Contains("\"actions\": [", config);
        Assert.Contains("resuming from", resumed.Output);
        Assert.EndsWith("step-000000000330", Checkpoints.Latest(runDir));
        // A gradient step every 3 env steps after the burn-in, logged every 100th: steps 300 (and none before).
        var losses = File.ReadAllLines(Path.Combine(runDir, "losses.csv"));
        Assert.Equal("global_step,td_loss,q_values,epsilon", losses[0]);
        Assert.Equal("300", losses[1].Split(',')[0]);
        Assert.All(losses[1].Split(',').Skip(1), value => Assert.True(double.IsFinite(double.Parse(value))));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length); // header, steps 150 and 300
        Assert.True(File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Length > 3, "330 steps on the test ROM finish several episodes");
        Assert.True(new FileInfo(Path.Combine(Checkpoints.Latest(runDir)!, "buffer.bin")).Length < 330 * 2 * 84 * 84,
            "the replay buffer must keep each frame once, not every stacked observation");

        var play = Invoke("play", "--run-dir", runDir, "--episodes", "2", "--epsilon", "0.5", "--server", server.Address);
        Assert.True(play.ExitCode == 0, play.Error);
        Assert.Contains("random actions with probability 0.5", play.Output);
        Assert.Equal(2, EpisodeWithXPosition().Matches(play.Output).Count);
        Assert.Matches(@"mean over 2 episodes: return -?[\d.]+, .*x_pos [\d.]+", play.Output);
    }

    [Fact]
    public void DdqnMario_OnAnEnvWithoutStackedFrames_SaysWhatItNeeds()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();

        var train = Invoke("train", "ddqn-mario", "--env", "CartPole-v1", "--env-kwarg", "actions=null", "--env-kwarg", "wrappers=null",
            "--server", server.Address, "--run-dir", directory.Combine("run"));

        Assert.Equal(1, train.ExitCode);
        Assert.Contains("ddqn-mario needs a uint8 Box observation of stacked frames [stack, height, width] and a Discrete action; CartPole-v1 has Box(", train.Error);
    }

    [GeneratedRegex(@"episode +\d: return +-?[\d.]+, length +\d+, .*x_pos \d+")]
    private static partial Regex EpisodeWithXPosition();
}
