using System.Text;
using Xunit.Abstractions;
using ZeroGym.Tests.Agents;

namespace ZeroGym.Tests.Cluster;

/// <summary><c>train a2c --placement spread</c> over a real three-node cluster keeps training when a node is killed midway.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TrainA2c_WithPlacementSpread_FinishesAfterANodeIsKilledMidway_AndItsLogSaysSo()
    {
        ZeroGym.Agents.BuiltInAlgorithms.Register();
        using var cluster = new LocalCluster();
        var nodes = cluster.StartNodes("node-a", "node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        using (SpanningEnvs.ConnectWhenActive(nodes[0], 3))
        {
        }

        using var directory = new TemporaryDirectory();
        var console = new WatchedWriter();
        var training = Task.Run(() => ZeroGym.Agents.Common.AgentCommands.Invoke(
            ["train", "a2c", "--env", "CartPole-v1", "--server", nodes[0].Endpoint, "--num-envs", "6", "--placement", "spread",
             "--total-steps", "20000", "--eval-every", "0", "--seed", "5", "--run-dir", directory.Combine("run")], console, console));
        // Midway: once the run has logged some episodes.
        string metrics = directory.Combine("run", "metrics.csv");
        LocalCluster.WaitUntil(() => (File.Exists(metrics) && File.ReadLines(metrics).Count() > 20) || training.IsCompleted, TimeSpan.FromSeconds(60),
            () => $"train logged no episodes; it wrote: {console.Text}");
        Assert.False(training.IsCompleted, $"train ended before the kill: {console.Text}");
        LocalCluster.Kill(nodes[2]);

        int exitCode = await training.WaitAsync(TimeSpan.FromSeconds(120));
        string written = console.Text;
        output.WriteLine(written);
        Assert.Equal(0, exitCode);
        Assert.Contains($"6 envs placed (spread): {nodes[0].Endpoint} (2), {nodes[1].Endpoint} (2), {nodes[2].Endpoint} (2)", written);
        Assert.Contains($"node {nodes[2].Endpoint} lost at step", written);
        Assert.DoesNotContain("lost at step 0:", written);
        Assert.Matches($@"sub-envs \[4, 5\] re-made on (tcp://\S+ \(\d\)(, )?)+; training goes on", written);
        Assert.Contains("train: finished a2c on CartPole-v1 at step 20,0", written);
    }

    /// <summary>A console another thread may read while the command writes it.</summary>
    private sealed class WatchedWriter : TextWriter
    {
        private readonly StringBuilder text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (text) return text.ToString();
            }
        }

        public override void Write(char value)
        {
            lock (text) text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (text) text.Append(value);
        }
    }
}
