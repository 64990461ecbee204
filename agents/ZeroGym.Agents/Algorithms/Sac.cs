using System.Globalization;
using ZeroGym.Agents.Common;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// SAC, Soft Actor-Critic (Haarnoja et al. 2018, with the automatic entropy tuning of their second paper), for envs with
/// a Box observation and a Box action, trained through the env server: a stochastic policy that maximises reward plus
/// entropy, two soft Q critics and the smaller of their Polyak-averaged targets, and a temperature α tuned so the
/// policy's entropy stays near −|A|; sized and tuned as CleanRL's sac_continuous_action.py.
/// </summary>
/// <remarks>
/// The env loop, evaluation and exact-resume checkpoints are <see cref="ActorCriticLoop"/>'s; after the uniform random
/// start SAC explores by sampling its own policy instead of adding noise. Actions are in [-1, 1] inside the networks
/// (tanh squashes the Gaussian sample) and mapped onto the env's bounds on the way out; the log-probability counts the
/// scaling to the bounds as CleanRL's does. Every Gaussian draw comes from the loop's <see cref="SeededRandom"/>, so a
/// resumed run samples exactly what an uninterrupted one would.
/// </remarks>
public static class Sac
{
    /// <summary>SAC's own options; the defaults are CleanRL's sac_continuous_action.py benchmark settings (MuJoCo).</summary>
    public sealed record Options
    {
        /// <summary>Transitions the replay buffer holds (CleanRL: 1e6).</summary>
        public int BufferSize { get; init; } = 1_000_000;

        /// <summary>Discount factor (CleanRL: 0.99).</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>Soft update rate of the target critics: θ' ← τ θ + (1 − τ) θ' (CleanRL: 0.005).</summary>
        public double Tau { get; init; } = 0.005;

        /// <summary>Transitions per gradient step (CleanRL: 256).</summary>
        public int BatchSize { get; init; } = 256;

        /// <summary>Steps of uniform random actions before learning starts (CleanRL: 5e3).</summary>
        public long LearningStarts { get; init; } = 5_000;

        /// <summary>Adam's learning rate for the policy (CleanRL's policy_lr: 3e-4).</summary>
        public double PolicyLearningRate { get; init; } = 3e-4;

        /// <summary>Adam's learning rate for both critics and for log α (CleanRL's q_lr: 1e-3).</summary>
        public double QLearningRate { get; init; } = 1e-3;

        /// <summary>Env steps between policy updates; each brings this many policy steps, so the policy still gets one
        /// per env step on average (CleanRL: 2, the delay of TD3 with its compensating loop).</summary>
        public int PolicyFrequency { get; init; } = 2;

        /// <summary>Env steps between soft updates of the target critics (CleanRL: 1).</summary>
        public int TargetNetworkFrequency { get; init; } = 1;

        /// <summary>The entropy coefficient α when <see cref="Autotune"/> is off (CleanRL: 0.2).</summary>
        public double Alpha { get; init; } = 0.2;

        /// <summary>Tune α by gradient descent on log α towards a target entropy of −|A| (CleanRL: on); α starts at 1.</summary>
        public bool Autotune { get; init; } = true;

        /// <summary>Widths of the hidden layers of policy and critics (ReLU between them; CleanRL: 256, 256).</summary>
        public int[] HiddenSizes { get; init; } = [256, 256];

        /// <summary>Steps between checkpoints (taken at the next episode end).</summary>
        public long CheckpointEvery { get; init; } = 25_000;
    }

    /// <summary>Registers <c>sac</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("sac", "Soft Actor-Critic with automatic entropy tuning (Haarnoja et al. 2018)",
            new TrainDefaults(NumEnvs: 1, TotalSteps: 1_000_000, EvalEvery: 25_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    // ---------------------------------------------------------------- networks

    /// <summary>
    /// CleanRL's Actor: observation → the mean and log standard deviation of a Gaussian per action dimension, whose
    /// sample tanh squashes into [-1, 1]. The log std is squashed into [<see cref="LogStdMin"/>, <see cref="LogStdMax"/>].
    /// Its Linear layers are named as nn.Sequential names an MLP with ReLUs between them ("0.weight", "2.weight", ...);
    /// the last one gives the means and the log stds side by side (CleanRL's fc_mean and fc_logstd as one layer).
    /// <see cref="Forward"/> is the greedy action, tanh(mean).
    /// </summary>
    internal sealed class GaussianPolicy : Module
    {
        public const double LogStdMin = -5;
        public const double LogStdMax = 2;

        // log √(2π), the constant of a Gaussian's log density.
        private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

        private readonly Linear[] layers;
        private readonly int actionSize;

        public GaussianPolicy(int observationSize, int actionSize, int[] hiddenSizes, Device device)
        {
            this.actionSize = actionSize;
            var widths = hiddenSizes.Prepend(observationSize).Append(2 * actionSize).ToArray();
            layers = new Linear[widths.Length - 1];
            for (int i = 0; i < layers.Length; i++)
            {
                layers[i] = new Linear(widths[i], widths[i + 1], device: device);
                RegisterChild((2 * i).ToString(CultureInfo.InvariantCulture), layers[i]);
            }
        }

        /// <summary>The greedy action in [-1, 1]: tanh of the mean.</summary>
        public override Tensor Forward(Tensor input) => MeanAndLogStd(input).Mean.Tanh();

        /// <summary>[n, |A|] means and log standard deviations for [n, observation] observations.</summary>
        public (Tensor Mean, Tensor LogStd) MeanAndLogStd(Tensor observations)
        {
            Tensor hidden = observations;
            for (int i = 0; i < layers.Length - 1; i++) hidden = layers[i].Forward(hidden).Relu();
            Tensor output = layers[^1].Forward(hidden);
            // CleanRL's LOG_STD_MIN + 0.5 (LOG_STD_MAX - LOG_STD_MIN) (tanh(x) + 1), in two operations.
            Tensor logStd = output.Narrow(1, actionSize, actionSize).Tanh() * ((LogStdMax - LogStdMin) / 2) + (LogStdMax + LogStdMin) / 2;
            return (output.Narrow(1, 0, actionSize), logStd);
        }

        /// <summary>
        /// The reparameterised samples a = tanh(μ + σ ε) for the [n, |A|] standard normal <paramref name="noise"/> ε
        /// (C order), and their log-probabilities [n, 1] with the change of variables to the env's bounds:
        /// Σ log N(μ + σ ε; μ, σ) − log(scale (1 − a²) + 1e-6), where scale is half of each action's range (CleanRL's
        /// action_scale).
        /// </summary>
        public (Tensor Action, Tensor LogProb) Sample(Tensor observations, ReadOnlySpan<float> noise, float[] actionScale) =>
            Sample(MeanAndLogStd(observations), noise, actionScale);

        /// <summary>As <see cref="Sample(Tensor, ReadOnlySpan{float}, float[])"/>, from the policy's output on the
        /// observations (<see cref="MeanAndLogStd"/>).</summary>
        public (Tensor Action, Tensor LogProb) Sample((Tensor Mean, Tensor LogStd) output, ReadOnlySpan<float> noise, float[] actionScale)
        {
            var (mean, logStd) = output;
            var device = mean.Device;
            long n = noise.Length / actionSize;
            Tensor action = (mean + logStd.Exp() * Tensor.From(noise, [n, actionSize], device)).Tanh();
            // log N(μ + σε; μ, σ) = −ε²/2 − log σ − log √(2π): the value and the gradients of torch's Normal.log_prob
            // of the rsample, since (μ + σε − μ) / σ is ε whatever μ and σ are. The terms without σ are numbers.
            var constant = new float[n];
            for (int row = 0; row < n; row++)
            {
                double sum = 0;
                foreach (float value in noise.Slice(row * actionSize, actionSize)) sum += -0.5 * value * value - HalfLogTwoPi;
                constant[row] = (float)sum;
            }

            // scale (1 − a²) + 1e-6, in one operation fewer where every scale is 1 (HalfCheetah's bounds are ±1).
            Tensor jacobian = actionScale.All(scale => scale == 1)
                ? (1.0 + 1e-6) - action.Pow(2)
                : Tensor.From(actionScale, [actionSize], device) * (1.0 - action.Pow(2)) + 1e-6;
            Tensor logProb = Tensor.From(constant, [n, 1], device) - (logStd + jacobian.Log()).Sum(1, keepDim: true);
            return (action, logProb);
        }
    }

    /// <summary>A learned scalar, log α, as a module so checkpoints save it with the networks.</summary>
    internal sealed class LogAlpha : Module
    {
        private readonly int slot;

        /// <summary>log α = 0: α starts at 1, as CleanRL's.</summary>
        public LogAlpha(Device device) => slot = RegisterParameter("log_alpha", Tensor.Zeros([1], ScalarType.Float32, device));

        /// <summary>The parameter, of shape [1].</summary>
        public Tensor Value => Parameter(slot);

        /// <inheritdoc />
        public override Tensor Forward(Tensor input) => Value;
    }

    /// <summary>concat(observation, action) → soft Q-value.</summary>
    private static Sequential SoftQNetwork(int observationSize, int actionSize, int[] hiddenSizes, Device device) =>
        Networks.Mlp(observationSize + actionSize, hiddenSizes, 1, device);

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        if (options.PolicyFrequency < 1 || options.TargetNetworkFrequency < 1)
        {
            throw new AgentException(
                $"sac needs policy_frequency and target_network_frequency of at least 1; got {options.PolicyFrequency} and {options.TargetNetworkFrequency}");
        }

        // SAC samples its policy instead of adding exploration noise.
        var settings = new ActorCriticLoop.Settings(options.BufferSize, options.BatchSize, options.LearningStarts, ExplorationNoise: 0, options.CheckpointEvery);
        ActorCriticLoop.Train(run, "sac", settings, (observationSize, actions, device) => Build(options, observationSize, actions, device));
    }

    /// <summary>Policy, two critics, their targets (copies to start with), log α, and an Adam for each of policy,
    /// critics and log α.</summary>
    internal static ActorCriticLoop.Learner Build(Options options, int observationSize, BoxActions actions, Device device)
    {
        int actionSize = actions.Size;
        var actor = new GaussianPolicy(observationSize, actionSize, options.HiddenSizes, device);
        var qf1 = SoftQNetwork(observationSize, actionSize, options.HiddenSizes, device);
        var qf2 = SoftQNetwork(observationSize, actionSize, options.HiddenSizes, device);
        var qf1Target = SoftQNetwork(observationSize, actionSize, options.HiddenSizes, device);
        var qf2Target = SoftQNetwork(observationSize, actionSize, options.HiddenSizes, device);
        qf1Target.CopyParametersFrom(qf1);
        qf2Target.CopyParametersFrom(qf2);
        var logAlpha = new LogAlpha(device);
        var actorOptimizer = new Adam(actor.Parameters(), options.PolicyLearningRate);
        var qOptimizer = new Adam([.. qf1.Parameters(), .. qf2.Parameters()], options.QLearningRate);
        var alphaOptimizer = new Adam(logAlpha.Parameters(), options.QLearningRate);
        float[] actionScale = [.. actions.Low.Zip(actions.High, (low, high) => (high - low) / 2)];
        var model = new Model(actor, qf1, qf2, qf1Target, qf2Target, logAlpha, actorOptimizer, qOptimizer, alphaOptimizer,
            actionScale, TargetEntropy: -actionSize, device, new float[options.BatchSize * actionSize]);
        return new ActorCriticLoop.Learner(
            actor,
            [("actor", actor), ("qf1", qf1), ("qf2", qf2), ("qf1_target", qf1Target), ("qf2_target", qf2Target), ("entropy", logAlpha)],
            [("actor", actorOptimizer), ("q", qOptimizer), ("alpha", alphaOptimizer)],
            (batch, globalStep, random, log) => Update(model, batch, globalStep, random, options, log))
        {
            Explore = (observation, random) => Explore(model, observation, random),
        };
    }

    /// <summary>The networks and optimisers of one SAC learner on <paramref name="Device"/>, half of each action's range,
    /// the target entropy, and a reused array for the batch's Gaussian draws.</summary>
    internal sealed record Model(
        GaussianPolicy Actor, Module Qf1, Module Qf2, Module Qf1Target, Module Qf2Target, LogAlpha LogAlpha,
        Optimizer ActorOptimizer, Optimizer QOptimizer, Optimizer AlphaOptimizer, float[] ActionScale, double TargetEntropy,
        Device Device, float[] Noise);

    /// <summary>A sampled action in [-1, 1] for one observation, its noise drawn from <paramref name="random"/>.</summary>
    private static float[] Explore(Model net, float[] observation, SeededRandom random)
    {
        using var scope = LibTorch.NewDisposeScope();
        using var noGrad = LibTorch.NoGrad();
        var noise = new float[net.ActionScale.Length];
        random.FillGaussian(noise);
        var (action, _) = net.Actor.Sample(Tensor.From(observation, [1, observation.Length], net.Device), noise, net.ActionScale);
        return action.ToArray<float>();
    }

    /// <summary>Standard normal noise for each action of the batch, drawn from <paramref name="random"/>.</summary>
    private static float[] Noise(Model net, SeededRandom random)
    {
        random.FillGaussian(net.Noise);
        return net.Noise;
    }

    /// <summary>Turns the gradients of both critics' parameters on or off: the policy's loss goes through the critics,
    /// but only its gradient with respect to the action is needed, not the critics' own (which the next critic step
    /// would discard).</summary>
    private static void CriticGradients(Model net, bool on)
    {
        foreach (var parameter in net.Qf1.Parameters()) parameter.RequiresGrad = on;
        foreach (var parameter in net.Qf2.Parameters()) parameter.RequiresGrad = on;
    }

    /// <summary>
    /// One update: both critics towards r + γ (min(Q1'(s', a'), Q2'(s', a')) − α log π(a'|s')) with a' ~ π(s'); every
    /// <see cref="Options.PolicyFrequency"/> steps that many policy steps down E[α log π(a|s) − min(Q1, Q2)(s, a)], each
    /// followed by a step of log α down −α (log π + target entropy) when autotuning; and every
    /// <see cref="Options.TargetNetworkFrequency"/> steps soft updates of the target critics. Returns the losses when
    /// asked to.
    /// </summary>
    internal static IReadOnlyDictionary<string, double>? Update(Model net, Batch batch, long globalStep, SeededRandom random, Options options, bool log)
    {
        using var scope = LibTorch.NewDisposeScope();
        var (observations, actions, rewards, nextObservations, terminated) = ActorCriticLoop.BatchTensors.From(batch, net.Device);
        double alpha = Alpha(net, options);

        // ALGO LOGIC: both critics towards the smaller target value of a sampled next action, less its entropy cost
        Tensor nextQ;
        using (LibTorch.NoGrad())
        {
            var (nextActions, nextLogPi) = net.Actor.Sample(nextObservations, Noise(net, random), net.ActionScale);
            var nextInput = Tensor.Cat([nextObservations, nextActions], 1);
            var minNext = net.Qf1Target.Forward(nextInput).Minimum(net.Qf2Target.Forward(nextInput)) - alpha * nextLogPi;
            nextQ = rewards + (1.0 - terminated) * options.Gamma * minNext.View(-1);
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

        // The policy's output on the observations, computed for a temperature step and kept for the next policy step,
        // which sees the same policy: one forward pass fewer, the same numbers.
        (Tensor Mean, Tensor LogStd)? keptOutput = null;

        Tensor ActorLoss()
        {
            var (pi, logPi) = net.Actor.Sample(keptOutput ?? net.Actor.MeanAndLogStd(observations), Noise(net, random), net.ActionScale);
            keptOutput = null;
            var piInput = Tensor.Cat([observations, pi], 1);
            var minQPi = net.Qf1.Forward(piInput).Minimum(net.Qf2.Forward(piInput));
            return (alpha * logPi - minQPi).Mean();
        }

        Tensor AlphaLoss(bool keepOutput)
        {
            // Kept for a policy step, the output carries its graph; otherwise no graph is needed.
            (Tensor Mean, Tensor LogStd) output = default;
            if (keepOutput) output = net.Actor.MeanAndLogStd(observations);
            Tensor logPi;
            using (LibTorch.NoGrad())
            {
                if (!keepOutput) output = net.Actor.MeanAndLogStd(observations);
                logPi = net.Actor.Sample(output, Noise(net, random), net.ActionScale).LogProb;
            }

            keptOutput = keepOutput ? output : null;
            return (-net.LogAlpha.Value.Exp() * (logPi + net.TargetEntropy)).Mean();
        }

        Tensor? actorLoss = null, alphaLoss = null;
        if (globalStep % options.PolicyFrequency == 0)
        {
            // ALGO LOGIC: the delayed policy steps, as many as the delay skipped, each followed by a temperature step
            CriticGradients(net, on: false);
            for (int i = 0; i < options.PolicyFrequency; i++)
            {
                actorLoss = ActorLoss();
                net.ActorOptimizer.ZeroGrad();
                actorLoss.Backward();
                net.ActorOptimizer.Step();
                if (!options.Autotune) continue;
                alphaLoss = AlphaLoss(keepOutput: i + 1 < options.PolicyFrequency);
                net.AlphaOptimizer.ZeroGrad();
                alphaLoss.Backward();
                net.AlphaOptimizer.Step();
                alpha = Alpha(net, options);
            }

            CriticGradients(net, on: true);
        }

        if (globalStep % options.TargetNetworkFrequency == 0)
        {
            // ALGO LOGIC: the target critics a small step towards the learned ones
            net.Qf1Target.SoftUpdateFrom(net.Qf1, options.Tau);
            net.Qf2Target.SoftUpdateFrom(net.Qf2, options.Tau);
        }

        if (!log) return null;
        // A step without policy update still logs the policy's losses, so every row has the same columns.
        if (actorLoss is null)
        {
            using (LibTorch.NoGrad()) actorLoss = ActorLoss();
            if (options.Autotune) alphaLoss = AlphaLoss(keepOutput: false);
        }

        var losses = new Dictionary<string, double>
        {
            ["qf_loss"] = qLoss.ItemDouble() / 2, ["qf1_loss"] = qf1Loss.ItemDouble(), ["qf2_loss"] = qf2Loss.ItemDouble(),
            ["actor_loss"] = actorLoss.ItemDouble(), ["alpha"] = alpha,
            ["qf1_values"] = qf1Values.Mean().ItemDouble(), ["qf2_values"] = qf2Values.Mean().ItemDouble(),
        };
        if (alphaLoss is not null) losses["alpha_loss"] = alphaLoss.ItemDouble();
        return losses;
    }

    /// <summary>α: exp(log α) while autotuning (read as a number, as CleanRL's .item()), else the fixed option.</summary>
    private static double Alpha(Model net, Options options)
    {
        if (!options.Autotune) return options.Alpha;
        using var noGrad = LibTorch.NoGrad();
        using var alpha = net.LogAlpha.Value.Exp();
        return alpha.ItemDouble();
    }

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        // The saved policy's last layer holds a mean and a log std per action.
        return ActorCriticLoop.LoadGreedy(runDirectory, deviceName,
            (observationSize, outputs, device) => new GaussianPolicy(observationSize, outputs / 2, options.HiddenSizes, device));
    }
}
