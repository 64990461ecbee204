using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class CheckpointTests
{
    private static Run StartRun(string runDir) => Run.Start(
        new TrainOptions("dqn", "CartPole-v1", "tcp://127.0.0.1:5555", 1, 1000, 1, runDir, "cpu", false, 100, 5), new { }, TextWriter.Null);

    private static string[] CheckpointNames(string runDir) =>
        [.. Directory.GetFileSystemEntries(Path.Combine(runDir, "checkpoints")).Select(Path.GetFileName).Order().Cast<string>()];

    [Fact]
    public void SaveCheckpoint_WritesAStepDirectory_AndLatestNamesIt()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);

        run.SaveCheckpoint(1234, path => File.WriteAllText(Path.Combine(path, "state.json"), "{\"step\": 1234}"));

        string checkpoint = Path.Combine(run.Directory, "checkpoints", "step-000000001234");
        Assert.Equal(checkpoint, run.LatestCheckpoint);
        Assert.Equal("{\"step\": 1234}", File.ReadAllText(Path.Combine(checkpoint, "state.json")));
        Assert.Equal("step-000000001234", File.ReadAllText(Path.Combine(runDir, "checkpoints", "latest")).Trim());
        Assert.Equal(1234, Checkpoints.StepOf(checkpoint));
    }

    [Fact]
    public void LatestCheckpoint_OfARunWithoutOne_IsNull()
    {
        using var directory = new TemporaryDirectory();
        using var run = StartRun(directory.Combine("run"));

        Assert.Null(run.LatestCheckpoint);
    }

    [Fact]
    public void SaveCheckpoint_KeepsTheThreeNewest()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);

        foreach (long step in new long[] { 100, 200, 300, 400, 500 }) run.SaveCheckpoint(step, _ => { });

        Assert.Equal(["latest", "step-000000000300", "step-000000000400", "step-000000000500"], CheckpointNames(runDir));
    }

    [Fact]
    public void SaveCheckpoint_WhoseFilesFailToWrite_LeavesThePreviousCheckpointLatestAndNoTrace()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);
        run.SaveCheckpoint(100, path => File.WriteAllText(Path.Combine(path, "state.json"), "100"));

        Assert.Throws<IOException>(() => run.SaveCheckpoint(200, path =>
        {
            File.WriteAllText(Path.Combine(path, "state.json"), "200");
            throw new IOException("disk full");
        }));

        Assert.EndsWith("step-000000000100", run.LatestCheckpoint);
        Assert.Equal(["latest", "step-000000000100"], CheckpointNames(runDir));
    }

    [Fact]
    public void SaveCheckpoint_AtTheSameStepAgain_ReplacesItWhole()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);
        run.SaveCheckpoint(100, path => File.WriteAllText(Path.Combine(path, "old.txt"), "old"));

        run.SaveCheckpoint(100, path => File.WriteAllText(Path.Combine(path, "new.txt"), "new"));

        Assert.Equal(["new.txt"], Directory.GetFiles(run.LatestCheckpoint!).Select(Path.GetFileName));
        Assert.Equal(["latest", "step-000000000100"], CheckpointNames(runDir));
    }

    [Fact]
    public void Latest_WithoutTheLatestFile_IsTheHighestStep()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);
        run.SaveCheckpoint(900, _ => { });
        run.SaveCheckpoint(1000, _ => { });
        File.Delete(Path.Combine(runDir, "checkpoints", "latest"));

        Assert.EndsWith("step-000000001000", Checkpoints.Latest(runDir));
    }

    [Fact]
    public void SaveCheckpoint_ClearsTheTemporaryDirectoryOfACrashedSave()
    {
        using var directory = new TemporaryDirectory();
        string runDir = directory.Combine("run");
        using var run = StartRun(runDir);
        Directory.CreateDirectory(Path.Combine(runDir, "checkpoints", ".tmp-step-000000000050"));

        run.SaveCheckpoint(100, _ => { });

        Assert.Equal(["latest", "step-000000000100"], CheckpointNames(runDir));
    }
}
