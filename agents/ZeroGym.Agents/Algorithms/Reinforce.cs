using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// REINFORCE (Williams 1992), the Monte-Carlo policy gradient, for envs with a Box observation and a Discrete action.
/// Seed 004 is the reference: a softmax policy with one hidden layer of 150, discounted returns normalised per
/// episode, one Adam step per episode.
/// </summary>
/// <remarks>
/// Actions are sampled with a <see cref="SeededRandom"/> and episode k starts from reset seed <c>seed + k</c>;
/// checkpoints at episode ends make a resumed run continue exactly.
/// </remarks>
public static class Reinforce
{
    /// <summary>REINFORCE's own options; the defaults are seed 004's, benchmarked on CartPole-v1.</summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate (seed 004: 0.0009).</summary>
        public double LearningRate { get; init; } = 9e-4;

        /// <summary>Discount factor (seed 004).</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>Widths of the hidden layers of the policy (seed 004: one of 150, with ReLU).</summary>
        public int[] HiddenSizes { get; init; } = [150];

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 20_000;

        /// <summary>Stop once a greedy evaluation reaches the env's reward threshold.</summary>
        public bool StopWhenSolved { get; init; } = true;
    }

    /// <summary>Registers <c>reinforce</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("reinforce", "REINFORCE, Monte-Carlo policy gradient (Williams 1992)",
            new TrainDefaults(NumEnvs: 1, TotalSteps: 300_000, EvalEvery: 10_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    private sealed record State(long GlobalStep, long Episode, string Random);

    // ---------------------------------------------------------------- policy

    /// <summary>The action probabilities for one observation.</summary>
    private static float[] Probabilities(Module policy, ReadOnlySpan<float> observation, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        return policy.Forward(Tensor.From(observation, [1, observation.Length], device)).Softmax(1).ToArray<float>();
    }

    private static long Greedy(float[] probabilities) => Array.IndexOf(probabilities, probabilities.Max());

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        var device = Device.Parse(common.Device);
        using var client = run.Connect();
        using var env = run.MakeEnv(client);
        using var evaluationEnv = run.MakeEnv(client);
        var (observationSize, actions) = EnvChecks.FlatBoxAndDiscrete(env, "REINFORCE");

        LibTorch.ManualSeed(common.Seed);
        using var policy = Networks.Mlp(observationSize, options.HiddenSizes, actions, device);
        using var optimizer = new Adam(policy.Parameters(), options.LearningRate);
        var state = new State(0, 0, new SeededRandom(common.Seed).SaveState());
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, [("policy", policy)], optimizer);
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
        }

        var random = SeededRandom.FromState(state.Random);
        long globalStep = state.GlobalStep, episode = state.Episode, lastCheckpoint = globalStep;
        double rewardThreshold = env.Spec.RewardThreshold ?? double.PositiveInfinity;
        bool solved = false;
        var observations = new List<float>();
        var takenActions = new List<long>();
        var rewards = new List<double>();
        while (globalStep < common.TotalSteps && !solved)
        {
            // ROLLOUT: one whole episode with the current policy (episode k from seed + k).
            observations.Clear();
            takenActions.Clear();
            rewards.Clear();
            float[] observation = ((NDArray)env.Reset(seed: common.Seed + episode).Observation).ToArray<float>();
            bool done = false;
            while (!done && globalStep < common.TotalSteps)
            {
                long action = Networks.SampleCategorical(Probabilities(policy, observation, device), random);
                var step = env.Step(action);
                observations.AddRange(observation);
                takenActions.Add(action);
                rewards.Add(step.Reward);
                observation = ((NDArray)step.Observation).ToArray<float>();
                globalStep++;
                done = step.Terminated || step.Truncated;
                run.Progress(globalStep);
            }

            if (!done) break; // the step budget ended mid-episode: that episode is not counted
            episode++;
            run.LogEpisode(globalStep, rewards.Sum(), rewards.Count);

            // ALGO LOGIC: ascend the log-probability of each action weighted by its normalised discounted return.
            double loss = Update(policy, optimizer, observations, takenActions, DiscountedReturns(rewards, options.Gamma), device);
            run.LogLosses(globalStep, new Dictionary<string, double> { ["policy_loss"] = loss });

            if (run.EvaluationDue(globalStep))
            {
                var returns = Evaluation.Run(evaluationEnv, o => Greedy(Probabilities(policy, ((NDArray)o).AsSpan<float>(), device)), common.EvalEpisodes, common.Seed + 1_000_000);
                run.LogEvaluation(globalStep, returns);
                solved = options.StopWhenSolved && returns.Average() >= rewardThreshold;
            }

            if (globalStep - lastCheckpoint >= options.CheckpointEvery || solved) SaveCheckpoint();
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void SaveCheckpoint()
        {
            var saved = new State(globalStep, episode, random.SaveState());
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, [("policy", policy)], optimizer);
                File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    /// <summary>G_t = r_t + γ G_{t+1}, then normalised to mean 0 and standard deviation 1 (seed 004).</summary>
    private static float[] DiscountedReturns(IReadOnlyList<double> rewards, double gamma)
    {
        var returns = new double[rewards.Count];
        double running = 0;
        for (int t = rewards.Count - 1; t >= 0; t--) returns[t] = running = rewards[t] + gamma * running;
        double mean = returns.Average();
        double std = Math.Sqrt(returns.Sum(g => (g - mean) * (g - mean)) / returns.Length);
        return returns.Select(g => (float)((g - mean) / (std + 1e-8))).ToArray();
    }

    private static double Update(Module policy, Optimizer optimizer, List<float> observations, List<long> actions, float[] returns, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        int n = actions.Count;
        var states = Tensor.From(observations.ToArray(), [n, observations.Count / n], device);
        var taken = Tensor.From(actions.ToArray(), [n, 1], device);
        var weights = Tensor.From(returns, [n], device);
        var logProbabilities = policy.Forward(states).LogSoftmax(1).Gather(1, taken).Squeeze(1);
        var loss = -(logProbabilities * weights).Sum();
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.ItemDouble();
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (observationSize, actions) = ModelFiles.InputOutputSizes(checkpoint, "policy");
        var policy = Networks.Mlp(observationSize, options.HiddenSizes, actions, device);
        ModelFiles.Load(checkpoint, [("policy", policy)]);
        return observation => Greedy(Probabilities(policy, ((NDArray)observation).AsSpan<float>(), device));
    }
}
