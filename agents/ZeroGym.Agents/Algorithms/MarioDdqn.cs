using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// Double DQN on stacked frames (van Hasselt et al. 2016, with the convolutional network of Mnih et al. 2015), as
/// seed 002 (PyTorch's Mario tutorial) trains it on Super Mario Bros 1-1: the actions [right] and [right, A], the
/// server-side wrappers skip 4 frames (rewards summed), grayscale, 84×84 and a stack of 4; epsilon-greedy with a
/// multiplicative decay per step, a replay buffer of 100,000 transitions, a burn-in before learning, a gradient step
/// every 3 env steps, the target network synced every 10,000, the smooth L1 loss and Adam. Frames are uint8 on the
/// wire and in the replay buffer (<see cref="FrameReplayBuffer"/> stores each frame once) and become float32 in
/// [0, 1] only inside the network's input batch.
/// </summary>
/// <remarks>
/// Works on any env whose observation is uint8 [stack, height, width] and whose action is Discrete. Every random
/// draw comes from one <see cref="SeededRandom"/> and checkpoints (taken at episode ends) hold the networks, Adam, the
/// replay buffer, epsilon and the generator, so a resumed run continues exactly as an uninterrupted one.
/// </remarks>
public static class MarioDdqn
{
    /// <summary>The algorithm's own options; the defaults are seed 002's.</summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate.</summary>
        public double LearningRate { get; init; } = 2.5e-4;

        /// <summary>Transitions the replay buffer holds.</summary>
        public int BufferSize { get; init; } = 100_000;

        /// <summary>Discount factor.</summary>
        public double Gamma { get; init; } = 0.9;

        /// <summary>Transitions per gradient step.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Exploration rate at the start.</summary>
        public double StartEpsilon { get; init; } = 1.0;

        /// <summary>Epsilon is multiplied by this after every action (seed 002: 0.99999975, which takes 9.2M steps to reach 0.1).</summary>
        public double EpsilonDecay { get; init; } = 0.99999975;

        /// <summary>Epsilon never falls below this.</summary>
        public double EndEpsilon { get; init; } = 0.1;

        /// <summary>Env steps before the first gradient step (seed 002's burn-in).</summary>
        public long BurnIn { get; init; } = 10_000;

        /// <summary>Env steps per gradient step.</summary>
        public int LearnEvery { get; init; } = 3;

        /// <summary>Env steps between copies of the online network into the target network.</summary>
        public int SyncEvery { get; init; } = 10_000;

        /// <summary>Random actions during evaluations: a deterministic game and a greedy policy would play one episode over and over.</summary>
        public double EvalEpsilon { get; init; } = 0.05;

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 50_000;
    }

    /// <summary>The env and kwargs of seed 002, used when <c>--env</c> and <c>--env-kwarg</c> are left out.</summary>
    public const string DefaultEnvId = "SuperMarioBros-1-1-v0";

    public static readonly string[] DefaultEnvKwargs = ["actions=[[\"right\"],[\"right\",\"A\"]]", "wrappers=mario"];

    /// <summary>Registers <c>ddqn-mario</c> with the train and play commands.</summary>
    public static void Register()
    {
        var defaults = new TrainDefaults(NumEnvs: 1, TotalSteps: 1_000_000, EvalEvery: 50_000, EvalEpisodes: 5, DefaultEnvId, DefaultEnvKwargs);
        Algorithms.Register(new Algorithm("ddqn-mario", "Double DQN on stacked frames, seed 002's Mario agent (Nature CNN)", defaults,
            () => new Options(), Train, LoadGreedy));
    }

    /// <summary>What a checkpoint's state.json holds besides the networks, optimiser and replay buffer.</summary>
    private sealed record State(long GlobalStep, long Episode, double Epsilon, string Random);

    // ---------------------------------------------------------------- networks

    internal static long GreedyAction(Module q, NDArray observation, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        return q.Forward(Pixels(observation.AsSpan<byte>(), [1, .. observation.Shape], device)).Argmax(1).ItemLong();
    }

    /// <summary>uint8 frames as the network's float32 input in [0, 1]; the conversion runs inside libtorch.</summary>
    internal static Tensor Pixels(ReadOnlySpan<byte> frames, long[] shape, Device device) =>
        Tensor.From(frames, shape, device).To(ScalarType.Float32) / 255.0;

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        var device = Device.Parse(common.Device);
        using var client = run.Connect();
        using var env = run.MakeEnv(client);
        using var evaluationEnv = run.MakeEnv(client);
        var (stack, height, width, actions) = EnvChecks.StackedFramesAndDiscrete(env, "ddqn-mario");

        LibTorch.ManualSeed(common.Seed);
        using var q = Networks.NatureCnn(stack, height, width, actions, device);
        using var target = Networks.NatureCnn(stack, height, width, actions, device);
        target.CopyParametersFrom(q);
        using var optimizer = new Adam(q.Parameters(), options.LearningRate);
        var networks = new List<(string, Module)> { ("q", q), ("target", target) };
        var buffer = new FrameReplayBuffer(options.BufferSize, stack, height * width);
        var state = new State(0, 0, options.StartEpsilon, new SeededRandom(common.Seed).SaveState());
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, networks, optimizer);
            buffer = FrameReplayBuffer.Load(Path.Combine(checkpoint, "buffer.bin"));
            state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!;
        }

        var random = SeededRandom.FromState(state.Random);
        var batch = new FrameBatch(options.BatchSize, buffer.ObservationBytes);
        long[] batchShape = [options.BatchSize, stack, height, width];
        long globalStep = state.GlobalStep, episode = state.Episode, lastCheckpoint = globalStep;
        double epsilon = state.Epsilon, lastXPosition = double.NaN;
        while (globalStep < common.TotalSteps)
        {
            // Episode k starts from seed + k, so a run resumed at an episode end sees the same episodes.
            var observation = (NDArray)env.Reset(seed: common.Seed + episode).Observation;
            double episodicReturn = 0;
            int length = 0;
            bool done = false;
            while (!done && globalStep < common.TotalSteps)
            {
                // ALGO LOGIC: epsilon-greedy action, then epsilon decays (seed 002's act)
                long action = random.NextDouble() < epsilon ? random.Next(actions) : GreedyAction(q, observation, device);
                epsilon = Math.Max(options.EndEpsilon, epsilon * options.EpsilonDecay);
                var step = env.Step(action);
                var next = (NDArray)step.Observation;
                globalStep++;
                length++;
                episodicReturn += step.Reward;
                done = step.Terminated || step.Truncated;
                if (done && step.Info.TryGetValue("x_pos", out var xPosition) && xPosition is long x) lastXPosition = x;

                // Truncation is not termination: the value of the state after a time limit still counts.
                buffer.Add(observation.AsSpan<byte>(), action, (float)step.Reward, next.AsSpan<byte>(), step.Terminated);
                observation = next;

                // ALGO LOGIC: sync the target, then learn every few steps after the burn-in (seed 002's learn)
                if (globalStep % options.SyncEvery == 0) target.CopyParametersFrom(q);
                if (globalStep >= options.BurnIn && globalStep % options.LearnEvery == 0)
                {
                    buffer.Sample(batch, random);
                    var (loss, meanQ) = Update(q, target, optimizer, batch, batchShape, options.Gamma, device);
                    if (globalStep % (100 * options.LearnEvery) == 0)
                    {
                        run.LogLosses(globalStep, new Dictionary<string, double> { ["td_loss"] = loss, ["q_values"] = meanQ, ["epsilon"] = epsilon });
                    }
                }

                run.Progress(globalStep, double.IsNaN(lastXPosition) ? null : new Dictionary<string, double> { ["last x_pos"] = lastXPosition });
                if (run.EvaluationDue(globalStep))
                {
                    var evaluationRandom = new SeededRandom(common.Seed + globalStep);
                    var returns = Evaluation.Run(evaluationEnv, o => evaluationRandom.NextDouble() < options.EvalEpsilon
                        ? (long)evaluationRandom.Next(actions)
                        : GreedyAction(q, (NDArray)o, device), common.EvalEpisodes, common.Seed + 1_000_000);
                    run.LogEvaluation(globalStep, returns);
                }
            }

            // The step budget ran out: the unfinished episode is not counted.
            if (!done) break;
            episode++;
            run.LogEpisode(globalStep, episodicReturn, length);
            if (globalStep - lastCheckpoint >= options.CheckpointEvery) SaveCheckpoint();
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void SaveCheckpoint()
        {
            var saved = new State(globalStep, episode, epsilon, random.SaveState());
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, networks, optimizer);
                buffer.Save(Path.Combine(directory, "buffer.bin"));
                File.WriteAllText(Path.Combine(directory, "state.json"), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    /// <summary>
    /// One gradient step (seed 002's update_Q_online): the online network picks the next action, the target network
    /// values it; returns the loss and the mean Q-value of the taken actions.
    /// </summary>
    internal static (double Loss, double MeanQ) Update(Module q, Module target, Optimizer optimizer, FrameBatch batch, long[] batchShape, double gamma, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        int n = batch.Size;
        var observations = Pixels(batch.Observations, batchShape, device);
        var nextObservations = Pixels(batch.NextObservations, batchShape, device);
        var actions = Tensor.From(batch.Actions, [n, 1], device);
        var rewards = Tensor.From(batch.Rewards, [n], device);
        var terminated = Tensor.From(batch.Terminated, [n], device);

        Tensor tdTarget;
        using (LibTorch.NoGrad())
        {
            var bestNextActions = q.Forward(nextObservations).Argmax(1, keepDim: true);
            var nextValues = target.Forward(nextObservations).Gather(1, bestNextActions).Squeeze(1);
            tdTarget = rewards + gamma * nextValues * (1.0 - terminated);
        }

        var taken = q.Forward(observations).Gather(1, actions).Squeeze(1);
        var loss = Functional.SmoothL1Loss(taken, tdTarget);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return (loss.ItemDouble(), taken.Mean().ItemDouble());
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (tensors, _) = SafeTensors.Load(Path.Combine(checkpoint, ModelFiles.ModelFile));
        int channels, actions;
        try
        {
            channels = (int)tensors["q.0.weight"].Shape[1];
            actions = (int)tensors["q.9.weight"].Shape[0];
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }

        Sequential? q = null;
        return observation =>
        {
            var frames = (NDArray)observation;
            if (q is null)
            {
                // The frame size is known from the first observation; the checkpoint's Linear layer checks it.
                q = Networks.NatureCnn(channels, frames.Shape[1], frames.Shape[2], actions, device);
                ModelFiles.Load(checkpoint, [("q", q)]);
            }

            return GreedyAction(q, frames, device);
        };
    }
}
