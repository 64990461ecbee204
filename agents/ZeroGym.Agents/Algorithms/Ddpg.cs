using ZeroGym.Agents.Common;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// DDPG (Lillicrap et al. 2016) for envs with a Box observation and a Box action, trained through the env server.
/// Seed 001's structure: an actor and a critic, a target copy of each moved towards them by soft updates, a replay
/// buffer, and Gaussian exploration noise; sized and tuned as CleanRL's ddpg_continuous_action.py.
/// </summary>
/// <remarks>
/// The env loop, exploration, evaluation and exact-resume checkpoints are <see cref="ActorCriticLoop"/>'s; this file is
/// the networks and the update. Actions are in [-1, 1] inside the networks (the actor ends in tanh) and mapped onto the
/// env's bounds on the way out.
/// </remarks>
public static class Ddpg
{
    /// <summary>DDPG's own options; the defaults are CleanRL's benchmark settings (MuJoCo).</summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate, for actor and critic.</summary>
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

        /// <summary>Critic updates per actor update (and target update), as CleanRL's policy_frequency.</summary>
        public int PolicyFrequency { get; init; } = 2;

        /// <summary>Widths of the hidden layers of actor and critic (ReLU between them).</summary>
        public int[] HiddenSizes { get; init; } = [256, 256];

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 25_000;
    }

    /// <summary>Registers <c>ddpg</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("ddpg", "Deep Deterministic Policy Gradient (Lillicrap et al. 2016)",
            new TrainDefaults(NumEnvs: 1, TotalSteps: 1_000_000, EvalEvery: 25_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    // ---------------------------------------------------------------- networks

    /// <summary>observation → action in [-1, 1]: an MLP ending in tanh.</summary>
    internal static Sequential Actor(int observationSize, int actionSize, int[] hiddenSizes, Device device) =>
        Networks.Mlp(observationSize, hiddenSizes, actionSize, device, new Tanh());

    /// <summary>concat(observation, action) → Q-value.</summary>
    internal static Sequential Critic(int observationSize, int actionSize, int[] hiddenSizes, Device device) =>
        Networks.Mlp(observationSize + actionSize, hiddenSizes, 1, device);

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var settings = new ActorCriticLoop.Settings(options.BufferSize, options.BatchSize, options.LearningStarts, options.ExplorationNoise, options.CheckpointEvery);
        ActorCriticLoop.Train(run, "ddpg", settings, (observationSize, actions, device) => Build(options, observationSize, actions.Size, device));
    }

    /// <summary>Actor, critic, their targets (copies to start with) and an Adam for each of actor and critic.</summary>
    internal static ActorCriticLoop.Learner Build(Options options, int observationSize, int actionSize, Device device)
    {
        var actor = Actor(observationSize, actionSize, options.HiddenSizes, device);
        var qf1 = Critic(observationSize, actionSize, options.HiddenSizes, device);
        var actorTarget = Actor(observationSize, actionSize, options.HiddenSizes, device);
        var qf1Target = Critic(observationSize, actionSize, options.HiddenSizes, device);
        actorTarget.CopyParametersFrom(actor);
        qf1Target.CopyParametersFrom(qf1);
        var actorOptimizer = new Adam(actor.Parameters(), options.LearningRate);
        var qOptimizer = new Adam(qf1.Parameters(), options.LearningRate);
        var model = new Model(actor, qf1, actorTarget, qf1Target, actorOptimizer, qOptimizer, device);
        return new ActorCriticLoop.Learner(
            actor,
            [("actor", actor), ("qf1", qf1), ("actor_target", actorTarget), ("qf1_target", qf1Target)],
            [("actor", actorOptimizer), ("q", qOptimizer)],
            (batch, globalStep, _, log) => Update(model, batch, globalStep, options, log));
    }

    /// <summary>The four networks and two optimisers of one DDPG learner, on <paramref name="Device"/>.</summary>
    internal sealed record Model(Module Actor, Module Qf1, Module ActorTarget, Module Qf1Target, Optimizer ActorOptimizer, Optimizer QOptimizer, Device Device);

    /// <summary>
    /// One update: a critic step towards r + γ Q'(s', μ'(s')), and every <see cref="Options.PolicyFrequency"/> steps an
    /// actor step up the critic's gradient and soft updates of both targets. Returns the losses when asked to.
    /// </summary>
    internal static IReadOnlyDictionary<string, double>? Update(Model net, Batch batch, long globalStep, Options options, bool log)
    {
        using var scope = LibTorch.NewDisposeScope();
        var (observations, actions, rewards, nextObservations, terminated) = ActorCriticLoop.BatchTensors.From(batch, net.Device);

        // ALGO LOGIC: critic towards the target networks' bootstrapped value
        Tensor nextQ;
        using (LibTorch.NoGrad())
        {
            var nextActions = net.ActorTarget.Forward(nextObservations);
            var qf1Next = net.Qf1Target.Forward(Tensor.Cat([nextObservations, nextActions], 1)).View(-1);
            nextQ = rewards + (1.0 - terminated) * options.Gamma * qf1Next;
        }

        var qf1Values = net.Qf1.Forward(Tensor.Cat([observations, actions], 1)).View(-1);
        var qf1Loss = Functional.MseLoss(qf1Values, nextQ);
        net.QOptimizer.ZeroGrad();
        qf1Loss.Backward();
        net.QOptimizer.Step();

        Tensor? actorLoss = null;
        Tensor ActorLoss() => -net.Qf1.Forward(Tensor.Cat([observations, net.Actor.Forward(observations)], 1)).Mean();
        if (globalStep % options.PolicyFrequency == 0)
        {
            // ALGO LOGIC: actor up the critic's gradient, then the targets a small step towards the learned networks
            actorLoss = ActorLoss();
            net.ActorOptimizer.ZeroGrad();
            actorLoss.Backward();
            net.ActorOptimizer.Step();
            net.ActorTarget.SoftUpdateFrom(net.Actor, options.Tau);
            net.Qf1Target.SoftUpdateFrom(net.Qf1, options.Tau);
        }

        if (!log) return null;
        // A step without actor update still logs the actor's loss, so every row has the same columns.
        if (actorLoss is null)
        {
            using (LibTorch.NoGrad()) actorLoss = ActorLoss();
        }

        return new Dictionary<string, double>
        {
            ["qf1_loss"] = qf1Loss.ItemDouble(), ["actor_loss"] = actorLoss.ItemDouble(), ["qf1_values"] = qf1Values.Mean().ItemDouble(),
        };
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        return ActorCriticLoop.LoadGreedy(runDirectory, deviceName,
            (observationSize, actionSize, device) => Actor(observationSize, actionSize, options.HiddenSizes, device));
    }
}
