using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;

namespace ZeroGym.Tests.Agents;

/// <summary>
/// A stand-in for a learning algorithm that uses the whole shared API as the real ones do: it acts at random with a
/// <see cref="SeededRandom"/>, fills a <see cref="ReplayBuffer"/> and samples it into a "loss", evaluates a fixed
/// greedy rule (push towards the side the pole falls to) and checkpoints everything at each episode end, so a resumed
/// run must reproduce an uninterrupted one exactly. It learns nothing.
/// </summary>
internal static class FakeAlgorithm
{
    /// <summary>The fake's own options, saved in config.json like a real algorithm's.</summary>
    public sealed record Options(int BatchSize = 8, int BufferCapacity = 200, double AngularVelocityWeight = 0.5);

    /// <summary>What a checkpoint's state.json holds.</summary>
    private sealed record State(long Step, long Episode, string Random, double AngularVelocityWeight);

    /// <summary>Makes the next run throw <see cref="SimulatedCrash"/> once, when it reaches a given step.</summary>
    public sealed class CrashSwitch
    {
        private long crashAt = -1;

        public void ArmAt(long step) => crashAt = step;

        public void CrashIfDue(long step)
        {
            if (step != crashAt) return;
            crashAt = -1;
            throw new SimulatedCrash(step);
        }
    }

    public sealed class SimulatedCrash(long step) : Exception($"simulated crash at step {step}");

    /// <summary>Registers a fake under <paramref name="name"/> (one name per test, so tests never share one).</summary>
    public static void Register(string name, CrashSwitch? crash = null) =>
        Algorithms.Register(new Algorithm(
            name,
            "a stand-in that acts at random (tests only)",
            new TrainDefaults(NumEnvs: 1, TotalSteps: 300, EvalEvery: 100, EvalEpisodes: 2),
            () => new Options(),
            run => Train(run, crash ?? new CrashSwitch()),
            LoadGreedy));

    private static void Train(Run run, CrashSwitch crash)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        State state;
        ReplayBuffer buffer;
        if (run.LatestCheckpoint is { } checkpoint)
        {
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
            buffer = ReplayBuffer.Load(Path.Combine(checkpoint, "buffer.bin"));
        }
        else
        {
            state = new State(0, 0, new SeededRandom(common.Seed).SaveState(), options.AngularVelocityWeight);
            buffer = new ReplayBuffer(options.BufferCapacity, observationSize: 4);
        }

        var random = SeededRandom.FromState(state.Random);
        long step = state.Step, episode = state.Episode;
        var greedy = GreedyRule(state.AngularVelocityWeight);
        using var client = run.Connect();
        using var env = client.Make(common.EnvId);
        using var evaluationEnv = client.Make(common.EnvId);
        while (step < common.TotalSteps)
        {
            // Each episode starts from its own seed, so a run resumed at an episode boundary sees the same episodes.
            float[] observation = ((NDArray)env.Reset(seed: common.Seed + episode).Observation).ToArray<float>();
            double episodicReturn = 0;
            int length = 0;
            while (true)
            {
                long action = random.Next(2);
                var result = env.Step(action);
                float[] next = ((NDArray)result.Observation).ToArray<float>();
                step++;
                length++;
                episodicReturn += result.Reward;
                buffer.Add(observation, [action], (float)result.Reward, next, result.Terminated);
                var batch = buffer.Sample(options.BatchSize, random);
                run.LogLosses(step, new Dictionary<string, double>
                {
                    ["fake_loss"] = batch.Observations.Average(value => (double)value * value),
                    ["buffer_size"] = buffer.Count,
                });

                run.Progress(step);
                crash.CrashIfDue(step);
                if (result.Terminated || result.Truncated) break;
                observation = next;
            }

            episode++;
            run.LogEpisode(step, episodicReturn, length);
            if (run.EvaluationDue(step))
            {
                run.LogEvaluation(step, Evaluation.Run(evaluationEnv, greedy, common.EvalEpisodes, common.Seed + 10_000));
            }

            var saved = new State(step, episode, random.SaveState(), state.AngularVelocityWeight);
            run.SaveCheckpoint(step, directory =>
            {
                File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(saved));
                buffer.Save(Path.Combine(directory, "buffer.bin"));
            });
        }
    }

    private static Func<object, object> LoadGreedy(string runDir, string device)
    {
        string checkpoint = Checkpoints.Latest(runDir) ?? throw new InvalidOperationException($"{runDir} has no checkpoint");
        var state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
        return GreedyRule(state.AngularVelocityWeight);
    }

    /// <summary>Push right when the pole falls right (angle plus weighted angular velocity above zero).</summary>
    private static Func<object, object> GreedyRule(double angularVelocityWeight) => observation =>
    {
        var values = ((NDArray)observation).AsSpan<float>();
        return values[2] + angularVelocityWeight * values[3] > 0 ? 1L : 0L;
    };
}
