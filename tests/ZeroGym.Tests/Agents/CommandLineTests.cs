using System.Diagnostics;
using System.Text.RegularExpressions;
using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// train and play through the agents' real command line, in-process, with a fake algorithm: each train starts a
/// local env server (a child process) and stops it.
/// </summary>
public sealed partial class CommandLineTests
{
    /// <summary>Runs the agents' command line in-process, as scripts/train and scripts/play do.</summary>
    internal static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = AgentCommands.Invoke(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static int ServerProcessId(string output) => int.Parse(StartedServer().Match(output).Groups["pid"].Value);

    /// <summary>The folder of the local server's ipc socket, which must be gone once the command ends.</summary>
    private static string ServerSocketDirectory(string output) => StartedServer().Match(output).Groups["directory"].Value;

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    // The local server listens on ipc, measured faster than a loopback port (LocalServer's remarks).
    [GeneratedRegex(@"started a local env server at ipc://(?<directory>\S+)/env\.sock \(pid (?<pid>\d+)")]
    private static partial Regex StartedServer();

    [Fact]
    public void AgentKilledWithSigkill_LeavesNoLocalServerRunning()
    {
        using var directory = new TemporaryDirectory();
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "ZeroGym.Agents.dll"), "train", "dqn", "--env", "CartPole-v1",
             "--total-steps", "100000000", "--eval-every", "0", "--run-dir", directory.Combine("run")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var agent = Process.Start(start)!;
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginErrorReadLine();
        int serverPid = 0;
        try
        {
            while (serverPid == 0 && agent.StandardOutput.ReadLine() is { } line)
            {
                if (StartedServer().IsMatch(line)) serverPid = ServerProcessId(line);
            }

            Assert.True(serverPid > 0, "train should say which local server it started");
            using var server = Process.GetProcessById(serverPid);

            agent.Kill(); // SIGKILL: no handler of the agent runs
            agent.WaitForExit();

            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)), $"the local server (pid {serverPid}) outlived its killed agent by 10 s");
        }
        finally
        {
            if (!agent.HasExited) agent.Kill();
            if (serverPid > 0 && IsRunning(serverPid)) Process.GetProcessById(serverPid).Kill();
        }
    }

    [Fact]
    public void TrainThenPlay_WritesTheRun_StopsTheServer_AndRecordsAVideo()
    {
        FakeAlgorithm.Register("fake-train-play");
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");

        var train = Invoke("train", "fake-train-play", "--env", "CartPole-v1", "--total-steps", "250", "--seed", "3", "--run-dir", runDir);

        Assert.True(train.ExitCode == 0, train.Error);
        Assert.False(IsRunning(ServerProcessId(train.Output)), "the local env server must be stopped when training ends");
        Assert.False(Directory.Exists(ServerSocketDirectory(train.Output)), "the local env server's socket folder must be removed when training ends");
        foreach (string file in new[] { "config.json", "metrics.csv", "losses.csv", "eval.csv", "learning_curve.svg", "server.log" })
        {
            Assert.True(File.Exists(Path.Combine(runDir, file)), $"{file} is missing from the run directory");
        }

        var episodes = File.ReadAllLines(Path.Combine(runDir, "metrics.csv")).Skip(1).Select(line => line.Split(',')).ToList();
        Assert.True(episodes.Count >= 5, $"250 random CartPole steps make several episodes; got {episodes.Count}");
        Assert.Equal(Enumerable.Range(1, episodes.Count).Select(i => i.ToString()), episodes.Select(row => row[1]));
        Assert.True(long.Parse(episodes[^1][0]) >= 250);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDir, "eval.csv")).Length); // header + evaluations after steps 100 and 200
        Assert.EndsWith("step-" + episodes[^1][0].PadLeft(12, '0'), Checkpoints.Latest(runDir));
        Assert.Contains("learning_curve.svg", train.Output);

        string videoPath = directory.Combine("episode.mp4");
        var play = Invoke("play", "--run-dir", runDir, "--episodes", "2", "--video", videoPath);

        Assert.True(play.ExitCode == 0, play.Error);
        var lengths = EpisodeLength().Matches(play.Output).Select(match => int.Parse(match.Groups[1].Value)).ToList();
        Assert.Equal(2, lengths.Count);
        // One frame after each reset and one after each step.
        Assert.Contains($"wrote {lengths.Sum() + 2} frames to {videoPath}", play.Output);
        Assert.True(new FileInfo(videoPath).Length > 0);
    }

    [Fact]
    public void PlayVideo_OfAFrameSkippingEnv_PlaysAtTheGamesSpeed()
    {
        FakeAlgorithm.Register("fake-skip-video");
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        var train = Invoke("train", "fake-skip-video", "--env", "CartPole-v1", "--total-steps", "60", "--run-dir", runDir,
            "--env-kwarg", "wrappers=[{\"name\": \"skip_frames\", \"n\": 2}]");
        Assert.True(train.ExitCode == 0, train.Error);

        string videoPath = directory.Combine("skipping.mp4");
        var play = Invoke("play", "--run-dir", runDir, "--video", videoPath);

        Assert.True(play.ExitCode == 0, play.Error);
        // A frame a step, each step 2 of CartPole's 50 frames a second: 25 frames a second is the game's speed.
        Assert.Equal("25/1", VideoWriterTests.FrameRate(videoPath));
    }

    [Fact]
    public void TrainAndPlay_ReachAnEncryptedServer_WithTheCurveKeyFiles_AndSaveNoKeyInTheRun()
    {
        FakeAlgorithm.Register("fake-curve");
        using var directory = new TemporaryDirectory();
        var (serverKey, serverPublic) = ZeroGym.Transport.Security.CurveKeys.WriteNewKeyPair(directory.Combine("server"));
        var (clientKey, _) = ZeroGym.Transport.Security.CurveKeys.WriteNewKeyPair(directory.Combine("client"));
        var clientKeys = ZeroGym.Transport.Security.CurveKeys.ReadKeyPair(clientKey);
        using var server = new Server.TestServer(new EnvServer.ServerOptions
        {
            Curve = new EnvServer.CurveSecurity(
                ZeroGym.Transport.Security.CurveKeys.ReadKeyPair(serverKey), new Dictionary<string, string> { [clientKeys.PublicKey] = "trainer" }),
        });
        string runDir = directory.Combine("run");
        string[] keys = ["--server", server.Address, "--curve-server-key", serverPublic, "--curve-client-key", clientKey];

        var train = Invoke(["train", "fake-curve", "--env", "CartPole-v1", "--total-steps", "120", "--run-dir", runDir, .. keys]);
        Assert.True(train.ExitCode == 0, train.Error);
        var play = Invoke(["play", "--run-dir", runDir, "--episodes", "1", .. keys]);
        Assert.True(play.ExitCode == 0, play.Error);

        Assert.Contains("event=client_authenticated key=trainer", server.Log.ToString());
        string config = File.ReadAllText(Path.Combine(runDir, "config.json"));
        Assert.DoesNotContain("client.key", config);
        Assert.DoesNotContain(clientKeys.SecretKey, config);
    }

    [GeneratedRegex(@"length\s+(\d+)")]
    private static partial Regex EpisodeLength();

    [Fact]
    public void Train_InterruptedAndResumed_LeavesTheLogsAndCheckpointOfAnUninterruptedRun()
    {
        var crash = new FakeAlgorithm.CrashSwitch();
        FakeAlgorithm.Register("fake-resume", crash);
        using var directory = new TemporaryDirectory();
        string whole = directory.Combine("whole"), interrupted = directory.Combine("interrupted");
        string[] common = ["--env", "CartPole-v1", "--total-steps", "300", "--seed", "5"];

        var uninterrupted = Invoke(["train", "fake-resume", .. common, "--run-dir", whole]);
        crash.ArmAt(155);
        Assert.Throws<FakeAlgorithm.SimulatedCrash>(() => Invoke(["train", "fake-resume", .. common, "--run-dir", interrupted]));
        long checkpointAtCrash = Checkpoints.StepOf(Checkpoints.Latest(interrupted)!)!.Value;
        long lastLoggedAtCrash = long.Parse(File.ReadAllLines(Path.Combine(interrupted, "losses.csv"))[^1].Split(',')[0]);
        var resumed = Invoke("train", "fake-resume", "--resume", "--run-dir", interrupted);

        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Error);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.True(lastLoggedAtCrash > checkpointAtCrash, "the crash should leave rows logged after the last checkpoint, for resume to drop");
        Assert.Contains("resuming from", resumed.Output);
        foreach (string file in new[] { "metrics.csv", "losses.csv", "eval.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(interrupted, file)));
        }

        Assert.Equal(LoggedScalars(whole), LoggedScalars(interrupted));
        string wholeCheckpoint = Checkpoints.Latest(whole)!, resumedCheckpoint = Checkpoints.Latest(interrupted)!;
        Assert.Equal(Path.GetFileName(wholeCheckpoint), Path.GetFileName(resumedCheckpoint));
        Assert.Equal(File.ReadAllText(Path.Combine(wholeCheckpoint, "state.json")), File.ReadAllText(Path.Combine(resumedCheckpoint, "state.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(wholeCheckpoint, "buffer.bin")), File.ReadAllBytes(Path.Combine(resumedCheckpoint, "buffer.bin")));
    }

    /// <summary>The scalars of a run's TensorBoard file but its speed, which no two runs share.</summary>
    private static List<(long Step, string Tag, float Value)> LoggedScalars(string runDir)
    {
        string file = Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"));
        var events = TensorBoardTests.ReadRecords(file).Select(ZeroGym.Agents.TensorBoard.Event.Parser.ParseFrom);
        return TensorBoardTests.Scalars(events).Where(scalar => scalar.Tag != "charts/SPS").ToList();
    }

    [Fact]
    public void Resume_WithADifferentOptionOnTheCommandLine_FailsNamingIt()
    {
        FakeAlgorithm.Register("fake-mismatch");
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        Invoke("train", "fake-mismatch", "--env", "CartPole-v1", "--total-steps", "30", "--eval-every", "0", "--run-dir", runDir);

        var resumed = Invoke("train", "fake-mismatch", "--resume", "--run-dir", runDir, "--num-envs", "4");

        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("--num-envs was 1 when the run started and is 4 now", resumed.Error);
    }

    [Fact]
    public void Train_WithAnUnknownAlgorithm_ListsTheKnownOnes()
    {
        FakeAlgorithm.Register("fake-listed");

        var train = Invoke("train", "no-such-algorithm", "--env", "CartPole-v1");

        Assert.Equal(1, train.ExitCode);
        Assert.Contains("unknown algorithm 'no-such-algorithm'; known: ", train.Error);
        Assert.Contains("fake-listed", train.Error);
    }

    [Fact]
    public void Train_WithoutEnv_SaysItIsRequired()
    {
        FakeAlgorithm.Register("fake-no-env");

        var train = Invoke("train", "fake-no-env");

        Assert.Equal(1, train.ExitCode);
        Assert.Contains("--env is required", train.Error);
    }

    [Fact]
    public void Resume_WithoutRunDir_SaysWhichDirectoryIsNeeded()
    {
        FakeAlgorithm.Register("fake-no-run-dir");

        var train = Invoke("train", "fake-no-run-dir", "--resume");

        Assert.Equal(1, train.ExitCode);
        Assert.Contains("--resume needs --run-dir", train.Error);
    }

    [Fact]
    public void Play_OfADirectoryWithoutARun_SaysSo()
    {
        using var directory = new TemporaryDirectory();

        var play = Invoke("play", "--run-dir", directory.Path);

        Assert.Equal(1, play.ExitCode);
        Assert.Contains("holds no run", play.Error);
    }
}
