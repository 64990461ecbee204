using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// Advantage Actor-Critic (Mnih et al. 2016, synchronous) over a remote vector env, for a Box observation and a
/// Discrete action. Seed 000 is the reference: 32 envs, 5-step returns, one network 4-32-32-(2+1) whose last layer
/// gives the action logits and the state value, value coefficient 0.5, entropy coefficient 0.01, gradient norm
/// clipped at 0.5, Adam at 0.01.
/// </summary>
/// <remarks>
/// The vector env autoresets on the step after an episode ends (SPEC.md §2.3): that step's transition joins two
/// episodes, so it is masked out of the loss. A resumed run continues from its checkpoint with the vector env
/// reset afresh, so, unlike DQN's, it does not replay the uninterrupted run bit for bit.
/// </remarks>
public static class A2c
{
    /// <summary>A2C's own options; the defaults are seed 000's, benchmarked on CartPole-v1.</summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate (seed 000).</summary>
        public double LearningRate { get; init; } = 0.01;

        /// <summary>Steps each sub-env takes per update (seed 000: 5-step advantage).</summary>
        public int StepsPerUpdate { get; init; } = 5;

        /// <summary>Discount factor.</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>Weight of the value loss (seed 000).</summary>
        public double ValueCoefficient { get; init; } = 0.5;

        /// <summary>Weight of the entropy bonus (seed 000).</summary>
        public double EntropyCoefficient { get; init; } = 0.01;

        /// <summary>Gradients are clipped to this global L2 norm (seed 000).</summary>
        public double MaxGradNorm { get; init; } = 0.5;

        /// <summary>Widths of the shared hidden layers (seed 000: 32, 32).</summary>
        public int[] HiddenSizes { get; init; } = [32, 32];

        /// <summary>
        /// The sub-envs split into this many equal groups whose actions are drawn one group after another, so that
        /// with <see cref="OverlapEnvSteps"/> a group steps on the server while the next group's actions are computed.
        /// 1 (the default) steps every sub-env at once: measured on CartPole with 32 envs, 2 overlapped groups were
        /// 12-25% slower, since each group's step is a whole round trip (~200 µs) and what it hides is a ~30 µs draw.
        /// </summary>
        public int EnvGroups { get; init; } = 1;

        /// <summary>
        /// With several <see cref="EnvGroups"/>, send each group's actions as soon as they are drawn (the vector env's
        /// batch is one group) instead of stepping every sub-env at once after the last group's draw. The results are
        /// the same either way; only the waiting for the server changes.
        /// </summary>
        public bool OverlapEnvSteps { get; init; } = true;

        /// <summary>Environment steps (all sub-envs) between checkpoints.</summary>
        public long CheckpointEvery { get; init; } = 50_000;

        /// <summary>Stop once a greedy evaluation reaches the env's reward threshold.</summary>
        public bool StopWhenSolved { get; init; } = true;
    }

    /// <summary>Registers <c>a2c</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("a2c", "Advantage Actor-Critic over a vector env (Mnih et al. 2016)",
            new TrainDefaults(NumEnvs: 32, TotalSteps: 500_000, EvalEvery: 20_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    private sealed record State(long GlobalStep, long Updates, string Random);

    // ---------------------------------------------------------------- network

    /// <summary>Shared layers, then one linear layer: columns 0..actions-1 are logits, the last is the value.</summary>
    internal static Sequential ActorCritic(int observationSize, int actions, int[] hiddenSizes, Device device) =>
        Networks.Mlp(observationSize, hiddenSizes, actions + 1, device);

    private static long GreedyAction(Module network, int actions, ReadOnlySpan<float> observation, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        var output = network.Forward(Tensor.From(observation, [1, observation.Length], device));
        return output.Narrow(1, 0, actions).Argmax(1).ItemLong();
    }

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        var device = Device.Parse(common.Device);
        int numEnvs = common.NumEnvs, horizon = options.StepsPerUpdate;
        using var client = run.Connect();
        if (options.EnvGroups < 1 || numEnvs % options.EnvGroups != 0)
        {
            throw new AgentException($"A2C splits its {numEnvs} envs into env_groups = {options.EnvGroups} equal groups; choose a number of envs that it divides (or --set env_groups=1)");
        }

        bool overlap = options.OverlapEnvSteps && options.EnvGroups > 1;
        using var envs = run.MakeVectorEnv(client, numEnvs, batchSize: overlap ? numEnvs / options.EnvGroups : numEnvs);
        using var evaluationEnv = run.MakeEnv(client);
        var (observationSize, actions) = EnvChecks.FlatBoxAndDiscrete(envs.SingleObservationSpace, envs.SingleActionSpace, common.EnvId, "A2C");

        var pipeline = new PipelinedVectorEnv(envs, observationSize, options.EnvGroups);
        LibTorch.ManualSeed(common.Seed);
        using var network = ActorCritic(observationSize, actions, options.HiddenSizes, device);
        using var optimizer = new Adam(network.Parameters(), options.LearningRate);
        var state = new State(0, 0, new SeededRandom(common.Seed).SaveState());
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, [("network", network)], optimizer);
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
        }

        var random = SeededRandom.FromState(state.Random);
        long globalStep = state.GlobalStep, updates = state.Updates, lastCheckpoint = globalStep;
        double rewardThreshold = evaluationEnv.Spec.RewardThreshold ?? double.PositiveInfinity;
        bool solved = false;

        // Rollout storage: step t of sub-env i at [t * numEnvs + i].
        var observations = new float[(horizon + 1) * numEnvs * observationSize];
        var takenActions = new long[horizon * numEnvs];
        var rewards = new double[horizon * numEnvs];
        var terminated = new bool[horizon * numEnvs];
        var truncated = new bool[horizon * numEnvs];
        var valid = new float[horizon * numEnvs];
        var episodicReturns = new double[numEnvs];
        var episodicLengths = new int[numEnvs];
        var autoresetNext = new bool[numEnvs];
        int groupSize = pipeline.GroupSize;
        pipeline.Reset(common.Seed + updates * numEnvs, observations);
        while (globalStep < common.TotalSteps && !solved)
        {
            // ROLLOUT: horizon steps of every sub-env with the current policy, group by group: a group's actions go
            // out as soon as they are drawn, and its results are collected just before its next actions are drawn.
            for (int t = 0; t <= horizon; t++)
            {
                for (int g = 0; g < pipeline.Groups; g++)
                {
                    int first = g * groupSize;
                    if (t > 0)
                    {
                        int k = (t - 1) * numEnvs + first;
                        pipeline.Collect(g, observations.AsSpan((t * numEnvs + first) * observationSize, groupSize * observationSize),
                            rewards.AsSpan(k, groupSize), terminated.AsSpan(k, groupSize), truncated.AsSpan(k, groupSize));
                    }

                    if (t == horizon) continue;
                    var groupObservations = observations.AsSpan((t * numEnvs + first) * observationSize, groupSize * observationSize);
                    float[] probabilities = PolicyProbabilities(network, groupObservations, groupSize, actions, device);
                    var groupActions = takenActions.AsSpan(t * numEnvs + first, groupSize);
                    for (int j = 0; j < groupSize; j++) groupActions[j] = Networks.SampleCategorical(probabilities.AsSpan(j * actions, actions), random);
                    pipeline.Send(g, groupActions);
                }

                if (t == 0) continue;
                for (int i = 0; i < numEnvs; i++)
                {
                    int k = (t - 1) * numEnvs + i;
                    // The step after an episode's end only resets the sub-env: no transition to learn from.
                    valid[k] = autoresetNext[i] ? 0f : 1f;
                    autoresetNext[i] = terminated[k] || truncated[k];
                    if (valid[k] == 0f) continue;
                    episodicReturns[i] += rewards[k];
                    episodicLengths[i]++;
                    if (autoresetNext[i])
                    {
                        run.LogEpisode(globalStep + numEnvs, episodicReturns[i], episodicLengths[i]);
                        episodicReturns[i] = 0;
                        episodicLengths[i] = 0;
                    }
                }

                globalStep += numEnvs;
                run.Progress(globalStep);
            }

            // ALGO LOGIC: n-step returns, advantage actor-critic loss.
            var (policyLoss, valueLoss, entropy) = Update(network, optimizer, options, observations, takenActions, rewards, terminated, truncated, valid, numEnvs, actions, device);
            updates++;
            if (updates % 10 == 0)
            {
                run.LogLosses(globalStep, new Dictionary<string, double>
                {
                    ["policy_loss"] = policyLoss, ["value_loss"] = valueLoss, ["entropy"] = entropy,
                });
            }

            // The last observations start the next rollout.
            observations.AsSpan(horizon * numEnvs * observationSize).CopyTo(observations);
            if (run.EvaluationDue(globalStep))
            {
                var returns = Evaluation.Run(evaluationEnv, o => GreedyAction(network, actions, ((NDArray)o).AsSpan<float>(), device), common.EvalEpisodes, common.Seed + 1_000_000);
                run.LogEvaluation(globalStep, returns);
                solved = options.StopWhenSolved && returns.Average() >= rewardThreshold;
            }

            if (globalStep - lastCheckpoint >= options.CheckpointEvery) SaveCheckpoint();
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void SaveCheckpoint()
        {
            var saved = new State(globalStep, updates, random.SaveState());
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, [("network", network)], optimizer);
                File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    internal static float[] PolicyProbabilities(Module network, ReadOnlySpan<float> observations, int numEnvs, int actions, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        var output = network.Forward(Tensor.From(observations, [numEnvs, observations.Length / numEnvs], device));
        return output.Narrow(1, 0, actions).Softmax(1).ToArray<float>();
    }

    internal static (double PolicyLoss, double ValueLoss, double Entropy) Update(
        Module network, Optimizer optimizer, Options options, float[] observations, long[] takenActions, double[] rewards,
        bool[] terminated, bool[] truncated, float[] valid, int numEnvs, int actions, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        int horizon = takenActions.Length / numEnvs;
        int observationSize = observations.Length / ((horizon + 1) * numEnvs);
        var output = network.Forward(Tensor.From(observations, [(horizon + 1) * numEnvs, observationSize], device));
        var values = output.Narrow(1, actions, 1).Squeeze(1);
        float[] bootstrap;
        using (LibTorch.NoGrad()) bootstrap = values.Detach().ToArray<float>();

        // R_t = r_t + γ R_{t+1}; a termination ends the sum, a truncation bootstraps from the value of its last state.
        var returns = new float[horizon * numEnvs];
        for (int i = 0; i < numEnvs; i++)
        {
            double running = bootstrap[horizon * numEnvs + i];
            for (int t = horizon - 1; t >= 0; t--)
            {
                int k = t * numEnvs + i;
                double next = terminated[k] ? 0 : truncated[k] ? bootstrap[(t + 1) * numEnvs + i] : running;
                running = valid[k] == 0f ? bootstrap[k] : rewards[k] + options.Gamma * next;
                returns[k] = (float)running;
            }
        }

        int n = horizon * numEnvs;
        var mask = Tensor.From(valid, [n], device);
        double count = Math.Max(1, valid.Sum());
        var logits = output.Narrow(0, 0, n).Narrow(1, 0, actions);
        var logProbabilities = logits.LogSoftmax(1);
        var taken = logProbabilities.Gather(1, Tensor.From(takenActions, [n, 1], device)).Squeeze(1);
        var advantages = Tensor.From(returns, [n], device) - values.Narrow(0, 0, n);
        var policyLoss = -(taken * advantages.Detach() * mask).Sum() / count;
        var valueLoss = (advantages.Pow(2) * mask).Sum() / count;
        var entropy = (-(logProbabilities.Exp() * logProbabilities).Sum(1) * mask).Sum() / count;
        var loss = policyLoss + options.ValueCoefficient * valueLoss - options.EntropyCoefficient * entropy;
        optimizer.ZeroGrad();
        loss.Backward();
        GradClip.ClipGradNorm(network.Parameters(), options.MaxGradNorm);
        optimizer.Step();
        return (policyLoss.ItemDouble(), valueLoss.ItemDouble(), entropy.ItemDouble());
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (observationSize, outputs) = ModelFiles.InputOutputSizes(checkpoint, "network");
        var network = ActorCritic(observationSize, outputs - 1, options.HiddenSizes, device);
        ModelFiles.Load(checkpoint, [("network", network)]);
        return observation => GreedyAction(network, outputs - 1, ((NDArray)observation).AsSpan<float>(), device);
    }
}
