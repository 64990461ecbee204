using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.EnvServer;
using ZeroGym.Tests.Server;
using ZeroGym.Tests.Torch;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// A2C overlaps the env step with its own computation by stepping its sub-envs in groups (issue 12, item 6). Against a
/// server that delays every sub-env's step at random, so results come back in an order no test can predict, an
/// overlapped run must write exactly what a run that waits for every step writes.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class A2cOverlapTests
{
    private static TestServer DelayingServer() =>
        new(new ServerOptions { InjectedDelay = TimeSpan.FromMicroseconds(200) });

    [Fact]
    public void OverlappedRun_WritesExactlyTheModelAndLogsOfARunThatWaitsForEveryStep()
    {
        BuiltInAlgorithms.Register();
        using var server = DelayingServer();
        using var directory = new TemporaryDirectory();

        string overlapped = Train(server.Address, directory.Combine("overlapped"), new A2c.Options { HiddenSizes = [16], EnvGroups = 2, OverlapEnvSteps = true });
        string waiting = Train(server.Address, directory.Combine("waiting"), new A2c.Options { HiddenSizes = [16], EnvGroups = 2, OverlapEnvSteps = false });

        foreach (string file in new[] { "metrics.csv", "losses.csv", "eval.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(waiting, file)), File.ReadAllText(Path.Combine(overlapped, file)));
        }

        Assert.True(File.ReadAllLines(Path.Combine(overlapped, "metrics.csv")).Length > 10, "the runs should end episodes, so autoresets are covered");
        string model = Path.Combine("step-000000001200", "model.safetensors");
        Assert.Equal(File.ReadAllBytes(Path.Combine(waiting, "checkpoints", model)), File.ReadAllBytes(Path.Combine(overlapped, "checkpoints", model)));
    }

    [Fact]
    public void EnvGroupsThatDoNotDivideTheEnvs_AreRefusedWithWhatToChange()
    {
        BuiltInAlgorithms.Register();
        using var server = new TestServer();
        using var directory = new TemporaryDirectory();
        var common = new TrainOptions("a2c", "CartPole-v1", server.Address, 6, TotalSteps: 60, Seed: 1, directory.Combine("run"), "cpu",
            Resume: false, EvalEvery: 0, EvalEpisodes: 1);
        using var run = Run.Start(common, new A2c.Options { EnvGroups = 4 }, TextWriter.Null);

        var error = Assert.Throws<AgentException>(() => Algorithms.Find("a2c").Train(run));

        Assert.Equal("A2C splits its 6 envs into env_groups = 4 equal groups; choose a number of envs that it divides (or --set env_groups=1)", error.Message);
    }

    [Fact]
    public void PipelinedVectorEnv_PlacesEachGroupsResultsBySubEnv_WhateverOrderTheyFinishIn()
    {
        const int numEnvs = 8, groups = 2, steps = 40;
        using var server = DelayingServer();
        using var envs = RemoteVectorEnv.Make("CartPole-v1", numEnvs, server.Address, batchSize: numEnvs / groups);
        var pipeline = new PipelinedVectorEnv(envs, observationSize: 4, groups);
        var singles = Enumerable.Range(0, numEnvs).Select(_ => RemoteEnv.Make("CartPole-v1", server.Address)).ToArray();
        try
        {
            Assert.True(pipeline.Overlapped);
            var observations = new float[numEnvs * 4];
            pipeline.Reset(seed: 30, observations);
            for (int i = 0; i < numEnvs; i++)
            {
                Assert.Equal(((NDArray)singles[i].Reset(seed: 30 + i).Observation).AsSpan<float>().ToArray(), observations.AsSpan(i * 4, 4).ToArray());
            }

            var random = new Random(4);
            var actions = new long[numEnvs];
            var rewards = new double[numEnvs];
            var terminated = new bool[numEnvs];
            var truncated = new bool[numEnvs];
            var ended = new bool[numEnvs];
            int episodesEnded = 0;
            for (int step = 0; step < steps; step++)
            {
                for (int g = 0; g < groups; g++)
                {
                    for (int i = g * 4; i < g * 4 + 4; i++) actions[i] = random.Next(2);
                    pipeline.Send(g, actions.AsSpan(g * 4, 4));
                }

                for (int g = 0; g < groups; g++)
                {
                    pipeline.Collect(g, observations.AsSpan(g * 16, 16), rewards.AsSpan(g * 4, 4), terminated.AsSpan(g * 4, 4), truncated.AsSpan(g * 4, 4));
                }

                for (int i = 0; i < numEnvs; i++)
                {
                    // Next-step autoreset: the step after an episode's end is the reset of the next one.
                    var expected = ended[i] ? SingleReset(singles[i]) : singles[i].Step(actions[i]);
                    Assert.Equal(((NDArray)expected.Observation).AsSpan<float>().ToArray(), observations.AsSpan(i * 4, 4).ToArray());
                    Assert.Equal((expected.Reward, expected.Terminated, expected.Truncated), (rewards[i], terminated[i], truncated[i]));
                    ended[i] = terminated[i] || truncated[i];
                    if (ended[i]) episodesEnded++;
                }
            }

            Assert.True(episodesEnded >= 4, $"the test should cover autoresets; {episodesEnded} episodes ended");
        }
        finally
        {
            foreach (var single in singles) single.Dispose();
        }
    }

    /// <summary>A single env's reset as the step result a vector env gives for it: reward 0, both flags false.</summary>
    private static StepResult SingleReset(RemoteEnv env) => new(env.Reset().Observation, 0, false, false, new Dictionary<string, object?>());

    private static string Train(string address, string runDir, A2c.Options options)
    {
        var common = new TrainOptions("a2c", "CartPole-v1", address, 8, TotalSteps: 1_200, Seed: 3, runDir, "cpu",
            Resume: false, EvalEvery: 600, EvalEpisodes: 1);
        using (var run = Run.Start(common, options with { CheckpointEvery = 10_000 }, TextWriter.Null))
        {
            Algorithms.Find("a2c").Train(run);
            run.Finish();
        }

        return runDir;
    }
}
