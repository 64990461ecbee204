using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// DQN (Mnih et al. 2015) and, with <see cref="Options.Double"/>, Double DQN (van Hasselt et al. 2016) for envs with a
/// Box observation and a Discrete action, trained through the env server. Seed 003 is the reference: a replay buffer,
/// a target network, an epsilon-greedy schedule, the smooth L1 (Huber) loss and Adam.
/// </summary>
/// <remarks>
/// Every random draw comes from one <see cref="SeededRandom"/> and episode k starts from reset seed <c>seed + k</c>, and
/// checkpoints are taken at episode ends with the replay buffer; so a run killed and resumed ends exactly where an
/// uninterrupted run with the same seed ends.
/// </remarks>
public static class Dqn
{
    /// <summary>DQN's own options; the defaults are the settings benchmarked on CartPole-v1.</summary>
    public sealed record Options
    {
        /// <summary>Double DQN: the online network picks the next action, the target network values it.</summary>
        public bool Double { get; init; }

        /// <summary>Adam's learning rate (seed 003).</summary>
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>Transitions the replay buffer holds.</summary>
        public int BufferSize { get; init; } = 50_000;

        /// <summary>Discount factor (seed 003).</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>Transitions per gradient step.</summary>
        public int BatchSize { get; init; } = 64;

        /// <summary>Exploration rate at the start.</summary>
        public double StartEpsilon { get; init; } = 1.0;

        /// <summary>Exploration rate once the schedule has run.</summary>
        public double EndEpsilon { get; init; } = 0.01;

        /// <summary>
        /// Steps over which epsilon falls linearly from start to end. With a target sync every 250 steps, seeds 1-3
        /// solve CartPole-v1 at 25,000-27,500 steps; 10,000 and 500 took 32,500-52,500.
        /// </summary>
        public long ExplorationSteps { get; init; } = 5_000;

        /// <summary>Steps of pure exploration before learning starts.</summary>
        public long LearningStarts { get; init; } = 1_000;

        /// <summary>Environment steps per gradient step.</summary>
        public int TrainFrequency { get; init; } = 1;

        /// <summary>Steps between copies of the online network into the target network.</summary>
        public int TargetNetworkFrequency { get; init; } = 250;

        /// <summary>Widths of the hidden layers of the Q-network (ReLU between them).</summary>
        public int[] HiddenSizes { get; init; } = [128, 128];

        /// <summary>Gradients are clipped to this global L2 norm.</summary>
        public double MaxGradNorm { get; init; } = 10.0;

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 10_000;

        /// <summary>Stop once a greedy evaluation reaches the env's reward threshold.</summary>
        public bool StopWhenSolved { get; init; } = true;
    }

    /// <summary>Registers <c>dqn</c> and <c>ddqn</c> with the train and play commands.</summary>
    public static void Register()
    {
        var defaults = new TrainDefaults(NumEnvs: 1, TotalSteps: 100_000, EvalEvery: 2_500, EvalEpisodes: 10);
        Algorithms.Register(new Algorithm("dqn", "Deep Q-Network (Mnih et al. 2015)", defaults,
            () => new Options(), Train, LoadGreedy));
        Algorithms.Register(new Algorithm("ddqn", "Double DQN (van Hasselt et al. 2016)", defaults,
            () => new Options { Double = true }, Train, LoadGreedy));
    }

    /// <summary>What a checkpoint's state.json holds besides the networks, optimiser and replay buffer.</summary>
    private sealed record State(long GlobalStep, long Episode, string Random);

    // ---------------------------------------------------------------- networks

    internal static Sequential QNetwork(int observationSize, int actions, int[] hiddenSizes, Device device) =>
        Networks.Mlp(observationSize, hiddenSizes, actions, device);

    private static long GreedyAction(Module q, ReadOnlySpan<float> observation, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        return q.Forward(Tensor.From(observation, [1, observation.Length], device)).Argmax(1).ItemLong();
    }

    private static double LinearSchedule(double start, double end, long duration, long step) =>
        start + (end - start) * Math.Min(1.0, (double)step / duration);

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        var device = Device.Parse(common.Device);
        using var client = run.Connect();
        using var env = run.MakeEnv(client);
        using var evaluationEnv = run.MakeEnv(client);
        var (observationSize, actions) = EnvChecks.FlatBoxAndDiscrete(env, "DQN");

        LibTorch.ManualSeed(common.Seed);
        using var q = QNetwork(observationSize, actions, options.HiddenSizes, device);
        using var target = QNetwork(observationSize, actions, options.HiddenSizes, device);
        target.CopyParametersFrom(q);
        using var optimizer = new Adam(q.Parameters(), options.LearningRate);
        var networks = new List<(string, Module)> { ("q", q), ("target", target) };
        var buffer = new ReplayBuffer(options.BufferSize, observationSize);
        var state = new State(0, 0, new SeededRandom(common.Seed).SaveState());
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, networks, optimizer);
            buffer = ReplayBuffer.Load(Path.Combine(checkpoint, "buffer.bin"));
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
        }

        var random = SeededRandom.FromState(state.Random);
        long globalStep = state.GlobalStep, episode = state.Episode, lastCheckpoint = globalStep;
        double rewardThreshold = env.Spec.RewardThreshold ?? double.PositiveInfinity;
        bool solved = false;
        float[] action = new float[1];
        while (globalStep < common.TotalSteps && !solved)
        {
            // Episode k starts from seed + k, so a run resumed at an episode end sees the same episodes.
            float[] observation = ((NDArray)env.Reset(seed: common.Seed + episode).Observation).ToArray<float>();
            double episodicReturn = 0;
            int length = 0;
            bool done = false;
            while (!done && globalStep < common.TotalSteps && !solved)
            {
                // ALGO LOGIC: epsilon-greedy action
                double epsilon = LinearSchedule(options.StartEpsilon, options.EndEpsilon, options.ExplorationSteps, globalStep);
                long chosen = random.NextDouble() < epsilon ? random.Next(actions) : GreedyAction(q, observation, device);
                var step = env.Step(chosen);
                float[] next = ((NDArray)step.Observation).ToArray<float>();
                globalStep++;
                length++;
                episodicReturn += step.Reward;
                done = step.Terminated || step.Truncated;

                // Truncation is not termination: the value of the state after a time limit still counts.
                action[0] = chosen;
                buffer.Add(observation, action, (float)step.Reward, next, step.Terminated);
                observation = next;

                // ALGO LOGIC: training
                if (globalStep > options.LearningStarts && globalStep % options.TrainFrequency == 0)
                {
                    var (loss, meanQ) = Update(q, target, optimizer, buffer.Sample(options.BatchSize, random), options, device);
                    if (globalStep % 100 == 0)
                    {
                        run.LogLosses(globalStep, new Dictionary<string, double>
                        {
                            ["td_loss"] = loss, ["q_values"] = meanQ, ["epsilon"] = epsilon,
                        });
                    }
                }

                if (globalStep % options.TargetNetworkFrequency == 0) target.CopyParametersFrom(q);
                run.Progress(globalStep);
                if (run.EvaluationDue(globalStep))
                {
                    var returns = Evaluation.Run(evaluationEnv, o => GreedyAction(q, ((NDArray)o).AsSpan<float>(), device), common.EvalEpisodes, common.Seed + 1_000_000);
                    run.LogEvaluation(globalStep, returns);
                    solved = options.StopWhenSolved && returns.Average() >= rewardThreshold;
                }
            }

            // The step budget ran out, or the network just evaluated as solved (keep exactly those weights): the
            // unfinished episode is not counted.
            if (!done) break;
            episode++;
            run.LogEpisode(globalStep, episodicReturn, length);
            if (globalStep - lastCheckpoint >= options.CheckpointEvery) SaveCheckpoint();
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void SaveCheckpoint()
        {
            var saved = new State(globalStep, episode, random.SaveState());
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, networks, optimizer);
                buffer.Save(Path.Combine(directory, "buffer.bin"));
                File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    /// <summary>One gradient step on a batch; returns the loss and the mean Q-value of the taken actions.</summary>
    internal static (double Loss, double MeanQ) Update(Module q, Module target, Optimizer optimizer, Batch batch, Options options, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        int n = batch.Size;
        long observationSize = batch.Observations.Length / n;
        var observations = Tensor.From(batch.Observations, [n, observationSize], device);
        var nextObservations = Tensor.From(batch.NextObservations, [n, observationSize], device);
        var actions = Tensor.From(batch.Actions, [n, 1], device).To(ScalarType.Int64);
        var rewards = Tensor.From(batch.Rewards, [n], device);
        var terminated = Tensor.From(batch.Terminated, [n], device);

        Tensor tdTarget;
        using (LibTorch.NoGrad())
        {
            var nextValues = options.Double
                ? target.Forward(nextObservations).Gather(1, q.Forward(nextObservations).Argmax(1, keepDim: true)).Squeeze(1)
                : target.Forward(nextObservations).Max(1).Values;
            tdTarget = rewards + options.Gamma * nextValues * (1.0 - terminated);
        }

        var taken = q.Forward(observations).Gather(1, actions).Squeeze(1);
        var loss = Functional.SmoothL1Loss(taken, tdTarget);
        optimizer.ZeroGrad();
        loss.Backward();
        GradClip.ClipGradNorm(q.Parameters(), options.MaxGradNorm);
        optimizer.Step();
        return (loss.ItemDouble(), taken.Mean().ItemDouble());
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var config = RunConfig.Load(runDirectory);
        var options = config.AlgorithmOptions<Options>();
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (observationSize, actions) = ModelFiles.InputOutputSizes(checkpoint, "q");
        var q = QNetwork(observationSize, actions, options.HiddenSizes, device);
        ModelFiles.Load(checkpoint, [("q", q)]);
        return observation => GreedyAction(q, ((NDArray)observation).AsSpan<float>(), device);
    }

}
