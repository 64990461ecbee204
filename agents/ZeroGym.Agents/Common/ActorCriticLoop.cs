using System.Text.Json;
using ZeroGym.Arrays;
using ZeroGym.Torch;

namespace ZeroGym.Agents.Common;

/// <summary>
/// What DDPG, TD3 and SAC share around their gradient steps (CleanRL's "TRY NOT TO MODIFY" part of
/// ddpg_continuous_action.py, td3_continuous_action.py and sac_continuous_action.py): the env loop on one Box-action
/// env, uniform random actions until learning starts, then the actor's action plus Gaussian exploration noise (or the
/// learner's own exploring action: SAC samples its policy), the replay buffer, greedy evaluations, loss logging, and
/// checkpoints with exact resume. Each algorithm's file builds its networks and
/// writes its update; this loop calls it once per env step after learning starts.
/// </summary>
/// <remarks>
/// Every random draw of the loop and of the updates comes from one <see cref="SeededRandom"/>, episode k starts from
/// reset seed <c>seed + k</c>, and checkpoints are taken at episode ends with the replay buffer; so a run killed and
/// resumed ends exactly where an uninterrupted run with the same seed ends. Actions live in [-1, 1] (see
/// <see cref="BoxActions"/>) in the networks and the buffer.
/// </remarks>
public static class ActorCriticLoop
{
    /// <summary>Steps between rows of losses.csv.</summary>
    public const int LossEvery = 100;

    /// <summary>The loop's settings, taken from the algorithm's options.</summary>
    /// <param name="ExplorationNoise">Standard deviation of the Gaussian noise added to the actor's [-1, 1] action
    /// (so 0.1 is CleanRL's 0.1 × action_scale).</param>
    /// <param name="LearningStarts">Steps of uniform random actions before the first update.</param>
    public sealed record Settings(int BufferSize, int BatchSize, long LearningStarts, double ExplorationNoise, long CheckpointEvery);

    /// <summary>An algorithm's networks and its update, as <see cref="Train"/> drives them.</summary>
    /// <param name="Actor">The deterministic policy: observation → action in [-1, 1].</param>
    /// <param name="Networks">Every network, saved and loaded by name ("actor", "qf1", "qf1_target", ...).</param>
    /// <param name="Optimizers">Every optimiser, saved and loaded by name.</param>
    /// <param name="Update">One update on a batch at a global step, drawing its noise from the random generator;
    /// when its last argument is true it returns the losses to log, else null (reading losses costs a sync).</param>
    public sealed record Learner(
        Module Actor,
        IReadOnlyList<(string Name, Module Network)> Networks,
        IReadOnlyList<(string Name, Optimizer Optimizer)> Optimizers,
        Func<Batch, long, SeededRandom, bool, IReadOnlyDictionary<string, double>?> Update)
    {
        /// <summary>The exploring action in [-1, 1] for one observation once learning has started, drawing from the
        /// random generator (SAC's policy sample); null for the <see cref="Actor"/>'s action plus
        /// <see cref="Settings.ExplorationNoise"/> (DDPG, TD3).</summary>
        public Func<float[], SeededRandom, float[]>? Explore { get; init; }
    }

    /// <summary>A sampled batch as tensors on the update's device: [n, size] observations and actions, [n] rewards and
    /// terminated flags. Made inside the update's dispose scope, which frees them.</summary>
    public readonly record struct BatchTensors(Tensor Observations, Tensor Actions, Tensor Rewards, Tensor NextObservations, Tensor Terminated)
    {
        public static BatchTensors From(Batch batch, Device device)
        {
            int n = batch.Size;
            long observationSize = batch.Observations.Length / n, actionSize = batch.Actions.Length / n;
            return new BatchTensors(
                Tensor.From(batch.Observations, [n, observationSize], device), Tensor.From(batch.Actions, [n, actionSize], device),
                Tensor.From(batch.Rewards, [n], device), Tensor.From(batch.NextObservations, [n, observationSize], device),
                Tensor.From(batch.Terminated, [n], device));
        }
    }

    /// <summary>What a checkpoint's state.json holds besides the networks, optimisers and replay buffer.</summary>
    private sealed record State(long GlobalStep, long Episode, string Random, float[] ActionLow, float[] ActionHigh);

    private const string StateFile = "state.json";

    /// <summary>
    /// Trains in <paramref name="run"/>: checks the env's spaces, seeds torch, lets <paramref name="build"/> make
    /// the networks (from observation size, the env's actions and device), restores the latest checkpoint when
    /// resuming, and runs the loop.
    /// </summary>
    public static void Train(Run run, string algorithm, Settings settings, Func<int, BoxActions, Device, Learner> build)
    {
        var common = run.Options;
        var device = Device.Parse(common.Device);
        using var client = run.Connect();
        using var env = run.MakeEnv(client);
        using var evaluationEnv = run.MakeEnv(client);
        var (observationSize, actions) = EnvChecks.FlatBoxAndBox(env, algorithm);

        LibTorch.ManualSeed(common.Seed);
        var learner = build(observationSize, actions, device);
        try
        {
            Loop(run, settings, learner, actions, observationSize, env, evaluationEnv, device);
        }
        finally
        {
            foreach (var (_, optimizer) in learner.Optimizers) optimizer.Dispose();
            foreach (var (_, network) in learner.Networks) network.Dispose();
        }
    }

    /// <summary>
    /// The greedy policy of a run's latest checkpoint, as play and evaluation call it: observation → env-scaled
    /// float[] action. <paramref name="actor"/> builds an actor of the given observation and action sizes.
    /// </summary>
    public static Func<object, object> LoadGreedy(string runDirectory, string deviceName, Func<int, int, Device, Module> actor)
    {
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (observationSize, actionSize) = ModelFiles.InputOutputSizes(checkpoint, "actor");
        var network = actor(observationSize, actionSize, device);
        ModelFiles.Load(checkpoint, [("actor", network)]);
        var state = ReadState(checkpoint);
        var actions = new BoxActions(state.ActionLow, state.ActionHigh);
        var input = new float[observationSize];
        return observation =>
        {
            Networks.ToFloat32((NDArray)observation, input);
            return actions.ToEnv(Act(network, input, device));
        };
    }

    /// <summary>The actor's action in [-1, 1] for one observation, without gradients.</summary>
    public static float[] Act(Module actor, ReadOnlySpan<float> observation, Device device)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        return actor.Forward(Tensor.From(observation, [1, observation.Length], device)).ToArray<float>();
    }

    private static void Loop(Run run, Settings settings, Learner learner, BoxActions actions, int observationSize,
        RemoteEnv env, RemoteEnv evaluationEnv, Device device)
    {
        var common = run.Options;
        var buffer = new ReplayBuffer(settings.BufferSize, observationSize, actions.Size);
        var state = new State(0, 0, new SeededRandom(common.Seed).SaveState(), actions.Low, actions.High);
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, learner.Networks, learner.Optimizers);
            buffer = ReplayBuffer.Load(Path.Combine(checkpoint, "buffer.bin"));
            state = ReadState(checkpoint);
        }

        var random = SeededRandom.FromState(state.Random);
        long globalStep = state.GlobalStep, episode = state.Episode, lastCheckpoint = globalStep;
        var batch = new Batch(
            new float[settings.BatchSize * observationSize], new float[settings.BatchSize * actions.Size], new float[settings.BatchSize],
            new float[settings.BatchSize * observationSize], new float[settings.BatchSize], settings.BatchSize);
        var observation = new float[observationSize];
        var next = new float[observationSize];
        var action = new float[actions.Size];
        Func<object, object> greedy = o =>
        {
            var input = new float[observationSize];
            Networks.ToFloat32((NDArray)o, input);
            return actions.ToEnv(Act(learner.Actor, input, device));
        };

        while (globalStep < common.TotalSteps)
        {
            // Episode k starts from seed + k, so a run resumed at an episode end sees the same episodes.
            Networks.ToFloat32((NDArray)env.Reset(seed: common.Seed + episode).Observation, observation);
            double episodicReturn = 0;
            int length = 0;
            bool done = false;
            while (!done && globalStep < common.TotalSteps)
            {
                // ALGO LOGIC: uniform random actions until learning starts, then the actor's action plus noise (or the
                // learner's own exploring action)
                if (globalStep < settings.LearningStarts)
                {
                    for (int i = 0; i < action.Length; i++) action[i] = (float)(2 * random.NextDouble() - 1);
                }
                else if (learner.Explore is { } explore)
                {
                    explore(observation, random).CopyTo(action, 0);
                }
                else
                {
                    float[] chosen = Act(learner.Actor, observation, device);
                    for (int i = 0; i < action.Length; i++)
                    {
                        action[i] = Math.Clamp(chosen[i] + (float)(settings.ExplorationNoise * random.NextGaussian()), -1f, 1f);
                    }
                }

                var step = env.Step(BoxActions.ToWire(actions.ToEnv(action)));
                Networks.ToFloat32((NDArray)step.Observation, next);
                globalStep++;
                length++;
                episodicReturn += step.Reward;
                done = step.Terminated || step.Truncated;

                // Truncation is not termination: the value of the state after a time limit still counts.
                buffer.Add(observation, action, (float)step.Reward, next, step.Terminated);
                (observation, next) = (next, observation);

                // ALGO LOGIC: training
                if (globalStep > settings.LearningStarts)
                {
                    buffer.SampleInto(batch, random);
                    bool log = globalStep % LossEvery == 0;
                    var losses = learner.Update(batch, globalStep, random, log);
                    if (log && losses is not null) run.LogLosses(globalStep, losses);
                }

                run.Progress(globalStep);
                if (run.EvaluationDue(globalStep))
                {
                    run.LogEvaluation(globalStep, Evaluation.Run(evaluationEnv, greedy, common.EvalEpisodes, common.Seed + 1_000_000));
                }
            }

            // The step budget ran out: the unfinished episode is not counted.
            if (!done) break;
            episode++;
            run.LogEpisode(globalStep, episodicReturn, length);
            if (globalStep - lastCheckpoint >= settings.CheckpointEvery) SaveCheckpoint();
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void SaveCheckpoint()
        {
            var saved = new State(globalStep, episode, random.SaveState(), actions.Low, actions.High);
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, learner.Networks, learner.Optimizers);
                buffer.Save(Path.Combine(directory, "buffer.bin"));
                File.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    private static State ReadState(string checkpoint) =>
        JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, StateFile)))
            ?? throw new AgentException($"{checkpoint}/{StateFile} is empty");
}
