using ZeroGym.Agents.Common;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// TD3, Twin Delayed DDPG (Fujimoto et al. 2018), for envs with a Box observation and a Box action, trained through the
/// env server. DDPG with three fixes against the critic's overestimation: two critics and the smaller of their target
/// values, clipped noise on the target action (target policy smoothing), and actor and target updates every second
/// critic update; sized and tuned as CleanRL's td3_continuous_action.py.
/// </summary>
/// <remarks>
/// The env loop, exploration, evaluation and exact-resume checkpoints are <see cref="ActorCriticLoop"/>'s; this file is
/// the networks and the update. Actions are in [-1, 1] inside the networks, so the noises below are fractions of half
/// the action range, as CleanRL scales them.
/// </remarks>
public static class Td3
{
    /// <summary>TD3's own options; the defaults are CleanRL's and Fujimoto et al.'s benchmark settings (MuJoCo).</summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate, for actor and critics.</summary>
        public double LearningRate { get; init; } = 3e-4;

        /// <summary>Transitions the replay buffer holds.</summary>
        public int BufferSize { get; init; } = 1_000_000;

        /// <summary>Discount factor.</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>Soft update rate of the target networks: θ' ← τ θ + (1 − τ) θ'.</summary>
        public double Tau { get; init; } = 0.005;

        /// <summary>Transitions per gradient step.</summary>
        public int BatchSize { get; init; } = 256;

        /// <summary>Standard deviation of the exploration noise, as a fraction of half the action range.</summary>
        public double ExplorationNoise { get; init; } = 0.1;

        /// <summary>Steps of uniform random actions before learning starts (1,000 is enough for Pendulum-v1).</summary>
        public long LearningStarts { get; init; } = 25_000;

        /// <summary>Critic updates per actor update (and target update): the "delayed" of TD3.</summary>
        public int PolicyFrequency { get; init; } = 2;

        /// <summary>Standard deviation of the noise on the target actor's action (target policy smoothing).</summary>
        public double PolicyNoise { get; init; } = 0.2;

        /// <summary>That noise is clipped to ± this.</summary>
        public double NoiseClip { get; init; } = 0.5;

        /// <summary>Widths of the hidden layers of actor and critics (ReLU between them).</summary>
        public int[] HiddenSizes { get; init; } = [256, 256];

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 25_000;
    }

    /// <summary>Registers <c>td3</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("td3", "Twin Delayed DDPG (Fujimoto et al. 2018)",
            new TrainDefaults(NumEnvs: 1, TotalSteps: 1_000_000, EvalEvery: 25_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var settings = new ActorCriticLoop.Settings(options.BufferSize, options.BatchSize, options.LearningStarts, options.ExplorationNoise, options.CheckpointEvery);
        ActorCriticLoop.Train(run, "td3", settings, (observationSize, actions, device) => Build(options, observationSize, actions.Size, device));
    }

    /// <summary>Actor, two critics, their targets (copies to start with), an Adam for the actor and one for both critics.</summary>
    internal static ActorCriticLoop.Learner Build(Options options, int observationSize, int actionSize, Device device)
    {
        // The networks are DDPG's: an actor ending in tanh, critics on concat(observation, action).
        var actor = Ddpg.Actor(observationSize, actionSize, options.HiddenSizes, device);
        var qf1 = Ddpg.Critic(observationSize, actionSize, options.HiddenSizes, device);
        var qf2 = Ddpg.Critic(observationSize, actionSize, options.HiddenSizes, device);
        var actorTarget = Ddpg.Actor(observationSize, actionSize, options.HiddenSizes, device);
        var qf1Target = Ddpg.Critic(observationSize, actionSize, options.HiddenSizes, device);
        var qf2Target = Ddpg.Critic(observationSize, actionSize, options.HiddenSizes, device);
        actorTarget.CopyParametersFrom(actor);
        qf1Target.CopyParametersFrom(qf1);
        qf2Target.CopyParametersFrom(qf2);
        var actorOptimizer = new Adam(actor.Parameters(), options.LearningRate);
        var qOptimizer = new Adam([.. qf1.Parameters(), .. qf2.Parameters()], options.LearningRate);
        var model = new Model(actor, qf1, qf2, actorTarget, qf1Target, qf2Target, actorOptimizer, qOptimizer, device,
            new float[options.BatchSize * actionSize]);
        return new ActorCriticLoop.Learner(
            actor,
            [("actor", actor), ("qf1", qf1), ("qf2", qf2), ("actor_target", actorTarget), ("qf1_target", qf1Target), ("qf2_target", qf2Target)],
            [("actor", actorOptimizer), ("q", qOptimizer)],
            (batch, globalStep, random, log) => Update(model, batch, globalStep, random, options, log));
    }

    /// <summary>The six networks and two optimisers of one TD3 learner, on <paramref name="Device"/>, and a reused
    /// array for the target policy noise.</summary>
    internal sealed record Model(
        Module Actor, Module Qf1, Module Qf2, Module ActorTarget, Module Qf1Target, Module Qf2Target,
        Optimizer ActorOptimizer, Optimizer QOptimizer, Device Device, float[] Noise);

    /// <summary>
    /// One update: both critics towards r + γ min(Q1'(s', ã), Q2'(s', ã)) with ã = clip(μ'(s') + clip(ε, ±c), ±1),
    /// and every <see cref="Options.PolicyFrequency"/> steps an actor step up Q1's gradient and soft updates of all
    /// targets. The noise ε is drawn from <paramref name="random"/>, so a resumed run draws the same. Returns the losses
    /// when asked to.
    /// </summary>
    internal static IReadOnlyDictionary<string, double>? Update(Model net, Batch batch, long globalStep, SeededRandom random, Options options, bool log)
    {
        using var scope = LibTorch.NewDisposeScope();
        var device = net.Device;
        var (observations, actions, rewards, nextObservations, terminated) = ActorCriticLoop.BatchTensors.From(batch, device);
        for (int i = 0; i < net.Noise.Length; i++) net.Noise[i] = (float)(options.PolicyNoise * random.NextGaussian());

        // ALGO LOGIC: both critics towards the smaller target value of a smoothed target action
        Tensor nextQ;
        using (LibTorch.NoGrad())
        {
            var clippedNoise = Tensor.From(net.Noise, actions.Shape, device).Clamp(-options.NoiseClip, options.NoiseClip);
            var nextActions = (net.ActorTarget.Forward(nextObservations) + clippedNoise).Clamp(-1, 1);
            var nextInput = Tensor.Cat([nextObservations, nextActions], 1);
            var minNext = net.Qf1Target.Forward(nextInput).Minimum(net.Qf2Target.Forward(nextInput)).View(-1);
            nextQ = rewards + (1.0 - terminated) * options.Gamma * minNext;
        }

        var input = Tensor.Cat([observations, actions], 1);
        var qf1Values = net.Qf1.Forward(input).View(-1);
        var qf2Values = net.Qf2.Forward(input).View(-1);
        var qf1Loss = Functional.MseLoss(qf1Values, nextQ);
        var qf2Loss = Functional.MseLoss(qf2Values, nextQ);
        var qLoss = qf1Loss + qf2Loss;
        net.QOptimizer.ZeroGrad();
        qLoss.Backward();
        net.QOptimizer.Step();

        Tensor? actorLoss = null;
        Tensor ActorLoss() => -net.Qf1.Forward(Tensor.Cat([observations, net.Actor.Forward(observations)], 1)).Mean();
        if (globalStep % options.PolicyFrequency == 0)
        {
            // ALGO LOGIC: delayed actor step up Q1's gradient, then the targets a small step towards the learned networks
            actorLoss = ActorLoss();
            net.ActorOptimizer.ZeroGrad();
            actorLoss.Backward();
            net.ActorOptimizer.Step();
            net.ActorTarget.SoftUpdateFrom(net.Actor, options.Tau);
            net.Qf1Target.SoftUpdateFrom(net.Qf1, options.Tau);
            net.Qf2Target.SoftUpdateFrom(net.Qf2, options.Tau);
        }

        if (!log) return null;
        // A step without actor update still logs the actor's loss, so every row has the same columns.
        if (actorLoss is null)
        {
            using (LibTorch.NoGrad()) actorLoss = ActorLoss();
        }

        return new Dictionary<string, double>
        {
            ["qf_loss"] = qLoss.ItemDouble() / 2, ["actor_loss"] = actorLoss.ItemDouble(),
            ["qf1_values"] = qf1Values.Mean().ItemDouble(), ["qf2_values"] = qf2Values.Mean().ItemDouble(),
        };
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        return ActorCriticLoop.LoadGreedy(runDirectory, deviceName,
            (observationSize, actionSize, device) => Ddpg.Actor(observationSize, actionSize, options.HiddenSizes, device));
    }
}
