using System.Runtime.InteropServices;
using System.Text.Json;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Spaces;
using ZeroGym.Torch;

namespace ZeroGym.Agents;

/// <summary>
/// Proximal Policy Optimization with the clipped surrogate objective (Schulman et al. 2017) over a remote vector env,
/// as CleanRL's <c>ppo.py</c> (Discrete actions: a categorical policy) and <c>ppo_continuous_action.py</c> (Box
/// actions: a diagonal Gaussian with a state-independent log standard deviation, actions clipped to the bounds when
/// sent to the env). Each iteration collects a rollout of every sub-env with the current policy, computes advantages
/// by GAE(λ), then takes epochs of minibatch steps over the shuffled rollout on the clipped policy loss, the
/// (optionally clipped) value loss and an entropy bonus, with the gradients' global norm clipped and the learning rate
/// annealed linearly to 0. Observations and rewards can be normalised by running statistics, as Gymnasium's
/// NormalizeObservation and NormalizeReward wrappers do in CleanRL's continuous file.
/// </summary>
/// <remarks>
/// <para>The vector env autoresets on the step after an episode ends (SPEC.md §2.3): that step's transition joins two
/// episodes, so it is left out of the advantages and the minibatches. The step that ends an episode returns its final
/// observation, so a time-limit truncation bootstraps from that state's value and only a termination counts as an
/// end (CleanRL treats both as ends).</para>
/// <para>Exact resume: every random draw (actions, minibatch order) comes from one saved <see cref="SeededRandom"/>,
/// the checkpoint holds the networks, Adam, the counters and the normalisation statistics, and the sub-envs, whose
/// state lives on the server, are reset (seeded anew) right after every checkpoint, in an uninterrupted run as in a
/// resumed one. The episodes under way there are cut, bootstrapped like a truncation and not logged. So a run killed
/// and resumed with <c>--resume</c> ends exactly where the uninterrupted run ends.</para>
/// <para>The env is stepped synchronously, every sub-env at once: a step is one round trip (~200 µs for CartPole),
/// and what the asynchronous calls could hide behind it is a draw of a few tens of µs. Four CartPoles stepped as two
/// overlapped groups were no faster than stepped together (measured with A2C's env groups; docs/performance.md,
/// "PPO against A2C", gives the figures).</para>
/// </remarks>
public static class Ppo
{
    /// <summary>
    /// PPO's own options. Where CleanRL's two files differ, the option is null by default and takes <c>ppo.py</c>'s
    /// value on an env with Discrete actions and <c>ppo_continuous_action.py</c>'s on one with Box actions; every
    /// other default is the same in both files.
    /// </summary>
    public sealed record Options
    {
        /// <summary>Adam's learning rate (before annealing); null: 2.5e-4 for Discrete (ppo.py), 3e-4 for Box (ppo_continuous_action.py).</summary>
        public double? LearningRate { get; init; }

        /// <summary>Anneal the learning rate linearly to 0 over the run's iterations (both files).</summary>
        public bool AnnealLearningRate { get; init; } = true;

        /// <summary>
        /// Steps each sub-env takes per rollout (CleanRL's num_steps); null: CleanRL's rollout of all envs divided over
        /// the envs of this run, rounded up: 512 for Discrete (ppo.py: 4 envs × 128 steps), 2048 for Box
        /// (ppo_continuous_action.py: 1 env × 2048 steps).
        /// </summary>
        public int? StepsPerRollout { get; init; }

        /// <summary>Discount factor (both files).</summary>
        public double Gamma { get; init; } = 0.99;

        /// <summary>λ of the generalised advantage estimate (both files).</summary>
        public double GaeLambda { get; init; } = 0.95;

        /// <summary>Minibatches per epoch; null: 4 for Discrete (ppo.py), 32 for Box (ppo_continuous_action.py).</summary>
        public int? Minibatches { get; init; }

        /// <summary>Passes over each rollout; null: 4 for Discrete (ppo.py), 10 for Box (ppo_continuous_action.py).</summary>
        public int? UpdateEpochs { get; init; }

        /// <summary>Normalise the advantages within each minibatch to mean 0, standard deviation 1 (both files).</summary>
        public bool NormalizeAdvantages { get; init; } = true;

        /// <summary>The policy ratio is clipped to 1 ± this in the surrogate objective (both files).</summary>
        public double ClipCoefficient { get; init; } = 0.2;

        /// <summary>Clip the value loss as the policy loss, around the rollout's values (both files).</summary>
        public bool ClipValueLoss { get; init; } = true;

        /// <summary>Weight of the entropy bonus; null: 0.01 for Discrete (ppo.py), 0 for Box (ppo_continuous_action.py).</summary>
        public double? EntropyCoefficient { get; init; }

        /// <summary>Weight of the value loss (both files).</summary>
        public double ValueCoefficient { get; init; } = 0.5;

        /// <summary>Gradients are clipped to this global L2 norm (both files).</summary>
        public double MaxGradNorm { get; init; } = 0.5;

        /// <summary>Stop an iteration's epochs once the approximate KL divergence passes this; null never stops (both files).</summary>
        public double? TargetKl { get; init; }

        /// <summary>Widths of the hidden layers of actor and critic, tanh between them (both files: 64, 64).</summary>
        public int[] HiddenSizes { get; init; } = [64, 64];

        /// <summary>
        /// Normalise observations by their running mean and variance, then clip them to ±<see cref="ObservationClip"/>;
        /// null: off for Discrete (ppo.py), on for Box (ppo_continuous_action.py's NormalizeObservation wrapper). One
        /// statistic serves every sub-env (CleanRL wraps each env with its own); evaluation reads it without updating it.
        /// </summary>
        public bool? NormalizeObservations { get; init; }

        /// <summary>
        /// Scale rewards by the running standard deviation of the discounted return, then clip them to
        /// ±<see cref="RewardClip"/>; null: off for Discrete (ppo.py), on for Box (ppo_continuous_action.py's
        /// NormalizeReward wrapper).
        /// </summary>
        public bool? NormalizeRewards { get; init; }

        /// <summary>Normalised observations are clipped to ± this (ppo_continuous_action.py).</summary>
        public double ObservationClip { get; init; } = 10;

        /// <summary>Normalised rewards are clipped to ± this (ppo_continuous_action.py).</summary>
        public double RewardClip { get; init; } = 10;

        /// <summary>
        /// libtorch's threads in this process (0 keeps libtorch's default, one per core). 1 by default: layers 64 wide
        /// are too small to split, and split over busy cores each operation waits for the slowest (measured on the
        /// shared 2-core VM, one update of the CartPole settings took 28 ms on 1 thread and 1.5 s on 2).
        /// </summary>
        public int TorchThreads { get; init; } = 1;

        /// <summary>Environment steps (all sub-envs) between checkpoints, taken after an iteration.</summary>
        public long CheckpointEvery { get; init; } = 50_000;

        /// <summary>Stop once a greedy evaluation reaches the env's reward threshold.</summary>
        public bool StopWhenSolved { get; init; } = true;

        /// <summary>
        /// The options with every null replaced by the default of Discrete or Box actions, for <paramref name="numEnvs"/>
        /// envs; a rollout too short for its minibatches is an <see cref="AgentException"/> with the numbers.
        /// </summary>
        public Settings Resolve(bool boxActions, int numEnvs)
        {
            int rollout = boxActions ? 2048 : 4 * 128;
            var settings = new Settings(
                LearningRate ?? (boxActions ? 3e-4 : 2.5e-4),
                StepsPerRollout ?? (rollout + numEnvs - 1) / numEnvs,
                Minibatches ?? (boxActions ? 32 : 4),
                UpdateEpochs ?? (boxActions ? 10 : 4),
                EntropyCoefficient ?? (boxActions ? 0.0 : 0.01),
                NormalizeObservations ?? boxActions,
                NormalizeRewards ?? boxActions);
            string? problem =
                settings.StepsPerRollout < 1 ? $"steps_per_rollout must be at least 1; got {settings.StepsPerRollout}" :
                settings.Minibatches < 1 ? $"minibatches must be at least 1; got {settings.Minibatches}" :
                settings.UpdateEpochs < 1 ? $"update_epochs must be at least 1; got {settings.UpdateEpochs}" :
                settings.Minibatches * 2 > numEnvs * settings.StepsPerRollout
                    ? $"minibatches = {settings.Minibatches} needs a rollout of at least {settings.Minibatches * 2} steps (two per minibatch); " +
                      $"{numEnvs} env(s) × steps_per_rollout = {settings.StepsPerRollout} make {numEnvs * settings.StepsPerRollout}"
                    : null;
            return problem is null ? settings : throw new AgentException("PPO: " + problem);
        }
    }

    /// <summary>The options that depend on the kind of action, resolved (see <see cref="Options.Resolve"/>).</summary>
    public sealed record Settings(
        double LearningRate, int StepsPerRollout, int Minibatches, int UpdateEpochs, double EntropyCoefficient,
        bool NormalizeObservations, bool NormalizeRewards);

    /// <summary>Registers <c>ppo</c> with the train and play commands.</summary>
    public static void Register() =>
        Algorithms.Register(new Algorithm("ppo", "Proximal Policy Optimization with a clipped objective over a vector env (Schulman et al. 2017)",
            new TrainDefaults(NumEnvs: 4, TotalSteps: 500_000, EvalEvery: 10_000, EvalEpisodes: 10),
            () => new Options(), Train, LoadGreedy));

    /// <summary>What a checkpoint's state.json holds besides the networks and Adam.</summary>
    /// <param name="EnvResets">Whole resets of the vector env so far: the next is seeded seed + EnvResets × num_envs.</param>
    /// <param name="ActionLow">The Box action's bounds; null for Discrete actions.</param>
    private sealed record State(
        long GlobalStep, long Updates, long EnvResets, string Random,
        RunningMeanStd.Snapshot? ObservationStatistics, RunningMeanStd.Snapshot? ReturnStatistics,
        float[]? ActionLow, float[]? ActionHigh);

    private const string StateFile = "state.json";

    // ---------------------------------------------------------------- networks

    /// <summary>
    /// CleanRL's Agent: a critic obs-64-64-1 and an actor obs-64-64-outputs (tanh between layers), whose outputs are
    /// the logits of a categorical policy (Discrete) or the means of a Gaussian whose log standard deviation is one
    /// learned parameter per action value, whatever the state (Box). Weights are orthogonal with gain √2, the critic's
    /// last layer 1 and the actor's 0.01 (so the first policy is nearly uniform); biases 0.
    /// </summary>
    internal sealed class Agent : IDisposable
    {
        private const double HiddenGain = 1.4142135623730951; // √2, for tanh layers as CleanRL's layer_init
        private const double CriticOutputGain = 1.0;
        private const double ActorOutputGain = 0.01;
        private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

        /// <param name="actions">Discrete: the number of actions; Box: the values per action.</param>
        /// <param name="box">The Box action's bounds, or null for Discrete actions.</param>
        public Agent(int observationSize, int actions, BoxActions? box, int[] hiddenSizes, Device device)
        {
            // Built in CleanRL's order (critic, actor, log std) so that one seed initialises both alike.
            Critic = Mlp(observationSize, hiddenSizes, 1, CriticOutputGain, device);
            Actor = Mlp(observationSize, hiddenSizes, actions, ActorOutputGain, device);
            ActorLogStd = box is null ? null : new LogStd(actions, device);
            Box = box;
            ActionSize = actions;
            Device = device;
        }

        public Sequential Critic { get; }

        public Sequential Actor { get; }

        /// <summary>The Gaussian's log standard deviations [1, action size]; null for Discrete actions.</summary>
        public LogStd? ActorLogStd { get; }

        /// <summary>The Box action's bounds, or null for Discrete actions.</summary>
        public BoxActions? Box { get; }

        /// <summary>Discrete: the number of actions; Box: the values per action.</summary>
        public int ActionSize { get; }

        public Device Device { get; }

        /// <summary>The networks by the names the checkpoint saves them under.</summary>
        public IReadOnlyList<(string Name, Module Network)> Networks =>
            ActorLogStd is null ? [("critic", Critic), ("actor", Actor)] : [("critic", Critic), ("actor", Actor), ("actor_logstd", ActorLogStd)];

        /// <summary>Every parameter, for the optimiser and the gradient clipping.</summary>
        public IReadOnlyList<Tensor> Parameters() => [.. Networks.SelectMany(pair => pair.Network.Parameters())];

        /// <summary>V(s) for a batch of observations [n, obs]: a tensor [n].</summary>
        public Tensor Value(Tensor observations) => Critic.Forward(observations).View(-1);

        /// <summary>
        /// The log-probability of each taken action (int64 [n] for Discrete, float [n, size] for Box) under the
        /// current policy, and the policy's mean entropy over the batch.
        /// </summary>
        public (Tensor LogProbability, Tensor Entropy) Evaluate(Tensor observations, Tensor actions)
        {
            var output = Actor.Forward(observations);
            if (ActorLogStd is null)
            {
                var logProbabilities = output.LogSoftmax(1);
                var taken = logProbabilities.Gather(1, actions.Unsqueeze(1)).Squeeze(1);
                var entropy = -(logProbabilities.Exp() * logProbabilities).Sum(1).Mean();
                return (taken, entropy);
            }

            // log N(a; μ, σ) summed over the action's values; the entropy ½ + ½ log 2π + log σ does not depend on μ.
            var logStd = ActorLogStd.Value;
            var variance = (2 * logStd).Exp();
            var logProbability = (-(actions - output).Pow(2) / (2 * variance) - logStd - HalfLogTwoPi).Sum(1);
            return (logProbability, (logStd + (0.5 + HalfLogTwoPi)).Sum());
        }

        /// <summary>
        /// The actor's outputs for <paramref name="rows"/> observations, without gradients: action probabilities
        /// (Discrete) or the Gaussian's means (Box), row-major.
        /// </summary>
        public float[] PolicyOutputs(ReadOnlySpan<float> observations, int rows)
        {
            using var scope = LibTorch.NewDisposeScope();
            using var noGrad = LibTorch.NoGrad();
            var output = Actor.Forward(Tensor.From(observations, [rows, observations.Length / rows], Device));
            return (ActorLogStd is null ? output.Softmax(1) : output).ToArray<float>();
        }

        /// <summary>The Gaussian's standard deviations per action value (Box only).</summary>
        public float[] StandardDeviations()
        {
            using var scope = LibTorch.NewDisposeScope();
            using var noGrad = LibTorch.NoGrad();
            return ActorLogStd!.Value.Exp().ToArray<float>();
        }

        /// <summary>The greedy action for one (normalised) observation: the likeliest action (a long) or the mean clipped to the bounds (a float[]).</summary>
        public object Greedy(ReadOnlySpan<float> observation)
        {
            float[] output = PolicyOutputs(observation, 1);
            if (Box is null) return (long)output.AsSpan().IndexOf(output.Max());
            ClipToBounds(output, output, Box);
            return output;
        }

        public void Dispose()
        {
            foreach (var (_, network) in Networks) network.Dispose();
        }

        private static Sequential Mlp(int inputs, int[] hiddenSizes, int outputs, double outputGain, Device device)
        {
            var layers = new List<Module>();
            foreach (int width in hiddenSizes)
            {
                layers.Add(Layer(inputs, width, HiddenGain, device));
                layers.Add(new Tanh());
                inputs = width;
            }

            layers.Add(Layer(inputs, outputs, outputGain, device));
            return new Sequential([.. layers]);
        }

        private static Linear Layer(int inputs, int outputs, double gain, Device device)
        {
            var layer = new Linear(inputs, outputs, device: device);
            Init.Orthogonal(layer.Weight, gain);
            Init.Constant(layer.Bias!, 0);
            return layer;
        }
    }

    /// <summary>The Gaussian policy's log standard deviations: one parameter "weight" of shape [1, size], zeros at first.</summary>
    internal sealed class LogStd : Module
    {
        private readonly int slot;

        public LogStd(int size, Device device) => slot = RegisterParameter("weight", Tensor.Zeros([1, size], device: device));

        /// <summary>The parameter, [1, size]; it broadcasts over a batch.</summary>
        public Tensor Value => Parameter(slot);

        /// <summary>The log standard deviations for each row of <paramref name="input"/> (the means): [rows, size].</summary>
        public override Tensor Forward(Tensor input) => input.Detach() * 0.0 + Value;
    }

    /// <summary>Each action value limited to the Box's bounds (what Gymnasium's ClipAction does in CleanRL).</summary>
    private static void ClipToBounds(ReadOnlySpan<float> actions, Span<float> destination, BoxActions box)
    {
        float[] low = box.Low, high = box.High;
        for (int k = 0; k < actions.Length; k++) destination[k] = Math.Clamp(actions[k], low[k % low.Length], high[k % high.Length]);
    }

    // ---------------------------------------------------------------- training

    private static void Train(Run run)
    {
        var options = run.AlgorithmOptions<Options>();
        var common = run.Options;
        var device = Device.Parse(common.Device);
        int numEnvs = common.NumEnvs;
        using var client = run.Connect();
        using var envs = run.MakeVectorEnv(client, numEnvs);
        using var evaluationEnv = run.MakeEnv(client);
        var (observationSize, actionSize, box) = CheckSpaces(envs.SingleObservationSpace, envs.SingleActionSpace, common.EnvId);
        var settings = options.Resolve(boxActions: box is not null, numEnvs);
        int horizon = settings.StepsPerRollout, batchSize = numEnvs * horizon;
        long iterations = (common.TotalSteps + batchSize - 1) / batchSize;

        if (options.TorchThreads > 0) LibTorch.Threads = options.TorchThreads;
        LibTorch.ManualSeed(common.Seed);
        using var agent = new Agent(observationSize, actionSize, box, options.HiddenSizes, device);
        using var optimizer = new Adam(agent.Parameters(), settings.LearningRate, eps: 1e-5);
        var state = new State(0, 0, 0, new SeededRandom(common.Seed).SaveState(),
            settings.NormalizeObservations ? new RunningMeanStd(observationSize).Save() : null,
            settings.NormalizeRewards ? new RunningMeanStd(1).Save() : null, box?.Low, box?.High);
        if (run.LatestCheckpoint is { } checkpoint)
        {
            ModelFiles.Load(checkpoint, agent.Networks, optimizer);
            state = ReadState(checkpoint);
        }

        var random = SeededRandom.FromState(state.Random);
        var observationStatistics = state.ObservationStatistics is { } savedObservations ? RunningMeanStd.Load(savedObservations) : null;
        var returnStatistics = state.ReturnStatistics is { } savedReturns ? RunningMeanStd.Load(savedReturns) : null;
        long globalStep = state.GlobalStep, updates = state.Updates, envResets = state.EnvResets, lastCheckpoint = globalStep;
        double rewardThreshold = evaluationEnv.Spec.RewardThreshold ?? double.PositiveInfinity;
        bool solved = false;

        // Rollout storage: step t of sub-env i at [t * numEnvs + i]; observations[t] is what the policy saw at step t
        // (normalised when asked), observations[horizon] what the last step returned.
        var observations = new float[(horizon + 1) * numEnvs * observationSize];
        var rawObservations = new float[numEnvs * observationSize];
        var discreteActions = new long[box is null ? batchSize : 0];
        var boxActions = new float[box is null ? 0 : batchSize * actionSize];
        var envActions = new float[box is null ? 0 : numEnvs * actionSize];
        var rewards = new float[batchSize];
        var terminated = new bool[batchSize];
        var truncated = new bool[batchSize];
        var valid = new bool[batchSize];
        var episodicReturns = new double[numEnvs];
        var episodicLengths = new int[numEnvs];
        var discountedReturns = new double[numEnvs];
        var autoresetNext = new bool[numEnvs];
        var validReturns = new List<double>(numEnvs);

        ResetEnvs();
        while (globalStep < common.TotalSteps && !solved)
        {
            // ALGO LOGIC: the learning rate falls linearly from its initial value to 0 over the run's iterations.
            optimizer.LearningRate = options.AnnealLearningRate ? (1.0 - (double)updates / iterations) * settings.LearningRate : settings.LearningRate;

            // ROLLOUT: horizon steps of every sub-env with the current policy.
            float[] standardDeviations = box is null ? [] : agent.StandardDeviations();
            for (int t = 0; t < horizon; t++)
            {
                var policyObservations = observations.AsSpan(t * numEnvs * observationSize, numEnvs * observationSize);
                float[] outputs = agent.PolicyOutputs(policyObservations, numEnvs);
                object wireActions;
                if (box is null)
                {
                    var taken = discreteActions.AsSpan(t * numEnvs, numEnvs);
                    for (int i = 0; i < numEnvs; i++) taken[i] = Networks.SampleCategorical(outputs.AsSpan(i * actionSize, actionSize), random);
                    wireActions = NDArray.From(taken, numEnvs);
                }
                else
                {
                    // a ~ N(μ, σ): the sample is what the policy is trained on, its clipped value what the env gets.
                    var taken = boxActions.AsSpan(t * numEnvs * actionSize, numEnvs * actionSize);
                    for (int k = 0; k < taken.Length; k++) taken[k] = outputs[k] + standardDeviations[k % actionSize] * (float)random.NextGaussian();
                    ClipToBounds(taken, envActions, box);
                    wireActions = NDArray.From(envActions, numEnvs, actionSize);
                }

                var step = envs.Step(wireActions);
                ReceiveObservations((NDArray)step.Observations, t + 1);
                validReturns.Clear();
                for (int i = 0; i < numEnvs; i++)
                {
                    int k = t * numEnvs + i;
                    // The step after an episode's end only resets the sub-env: no transition to learn from.
                    valid[k] = !autoresetNext[i];
                    terminated[k] = step.Terminated[i];
                    truncated[k] = step.Truncated[i];
                    autoresetNext[i] = terminated[k] || truncated[k];
                    rewards[k] = (float)step.Rewards[i];
                    if (!valid[k]) continue;
                    episodicReturns[i] += step.Rewards[i];
                    episodicLengths[i]++;
                    discountedReturns[i] = discountedReturns[i] * options.Gamma + step.Rewards[i];
                    validReturns.Add(discountedReturns[i]);
                }

                globalStep += numEnvs;
                if (returnStatistics is not null && validReturns.Count > 0)
                {
                    // Gymnasium's NormalizeReward: r / σ of the discounted return, whose statistic takes this step's returns first.
                    returnStatistics.Update<double>(CollectionsMarshal.AsSpan(validReturns));
                    for (int i = 0; i < numEnvs; i++)
                    {
                        int k = t * numEnvs + i;
                        if (valid[k]) rewards[k] = (float)returnStatistics.Scale(rewards[k], options.RewardClip);
                    }
                }

                for (int i = 0; i < numEnvs; i++)
                {
                    if (!valid[t * numEnvs + i] || !autoresetNext[i]) continue;
                    run.LogEpisode(globalStep, episodicReturns[i], episodicLengths[i]);
                    // autoresetNext stays set: the env's next step only resets it, and stays out of the rollout.
                    StartEpisode(i);
                }

                run.Progress(globalStep);
            }

            // ALGO LOGIC: advantages by GAE, then the clipped-objective epochs.
            var losses = Update(agent, optimizer, options, settings, random, observations, discreteActions, boxActions, rewards, terminated, truncated, valid, numEnvs);
            updates++;
            run.LogLosses(globalStep, new Dictionary<string, double>(losses) { ["learning_rate"] = optimizer.LearningRate });

            // The last observations start the next rollout.
            observations.AsSpan(horizon * numEnvs * observationSize).CopyTo(observations);
            if (run.EvaluationDue(globalStep))
            {
                var returns = Evaluation.Run(evaluationEnv, Greedy(agent, observationStatistics, options.ObservationClip), common.EvalEpisodes, common.Seed + 1_000_000);
                run.LogEvaluation(globalStep, returns);
                solved = options.StopWhenSolved && returns.Average() >= rewardThreshold;
            }

            if (globalStep - lastCheckpoint >= options.CheckpointEvery)
            {
                SaveCheckpoint();
                // The sub-envs' states live on the server: a resumed run cannot restore them, so both runs start afresh here.
                if (globalStep < common.TotalSteps && !solved) ResetEnvs();
            }
        }

        if (globalStep > lastCheckpoint) SaveCheckpoint();

        void ResetEnvs()
        {
            ReceiveObservations((NDArray)envs.Reset(common.Seed + envResets * numEnvs).Observations, 0);
            for (int i = 0; i < numEnvs; i++)
            {
                StartEpisode(i);
                autoresetNext[i] = false;
            }
        }

        void StartEpisode(int i)
        {
            episodicReturns[i] = 0;
            episodicLengths[i] = 0;
            discountedReturns[i] = 0;
        }

        // Converts the env's observations to float32, merges them into the statistic and normalises them (when asked)
        // into step t's slot of the rollout.
        void ReceiveObservations(NDArray received, int t)
        {
            var destination = observations.AsSpan(t * numEnvs * observationSize, numEnvs * observationSize);
            if (observationStatistics is null)
            {
                Networks.ToFloat32(received, destination);
                return;
            }

            Networks.ToFloat32(received, rawObservations);
            observationStatistics.Update<float>(rawObservations);
            observationStatistics.Normalize(rawObservations, destination, options.ObservationClip);
        }

        void SaveCheckpoint()
        {
            // Whoever continues from here (this run, or a resumed one) resets the sub-envs with the next seeds.
            envResets++;
            var saved = new State(globalStep, updates, envResets, random.SaveState(), observationStatistics?.Save(), returnStatistics?.Save(), box?.Low, box?.High);
            run.SaveCheckpoint(globalStep, directory =>
            {
                ModelFiles.Save(directory, agent.Networks, optimizer);
                File.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(saved));
            });
            lastCheckpoint = globalStep;
        }
    }

    /// <summary>
    /// A Box observation of one dimension (float32, or float64 read as float32) and a Discrete action or a float32 Box
    /// action of one dimension with finite bounds; returns the observation size, the number of actions (Discrete) or
    /// values per action (Box), and the Box's bounds (null for Discrete).
    /// </summary>
    private static (int ObservationSize, int ActionSize, BoxActions? Box) CheckSpaces(Space observations, Space actions, string envId)
    {
        switch (actions)
        {
            case Discrete:
                var (observationSize, count) = EnvChecks.FlatBoxAndDiscrete(observations, actions, envId, "PPO");
                return (observationSize, count, null);
            case Box:
                var (size, box) = EnvChecks.FlatBoxAndBox(observations, actions, envId, "PPO");
                return (size, box.Size, box);
            default:
                throw new AgentException($"PPO needs a Discrete action space or a Box action space (float32, one dimension); {envId} has {actions}");
        }
    }

    /// <summary>
    /// One PPO update on a rollout: old log-probabilities and values in one pass, GAE(λ) advantages, then
    /// <see cref="Settings.UpdateEpochs"/> epochs of <see cref="Settings.Minibatches"/> gradient steps over the valid
    /// transitions in an order shuffled by <paramref name="random"/>. Returns what losses.csv logs (CleanRL's losses/…
    /// of the last minibatch, clipfrac averaged over every minibatch, explained_variance of the rollout).
    /// </summary>
    internal static Dictionary<string, double> Update(
        Agent agent, Adam optimizer, Options options, Settings settings, SeededRandom random, float[] observations, long[] discreteActions,
        float[] boxActions, float[] rewards, bool[] terminated, bool[] truncated, bool[] valid, int numEnvs)
    {
        using var scope = LibTorch.NewDisposeScope();
        var device = agent.Device;
        int batchSize = valid.Length, horizon = batchSize / numEnvs, observationSize = observations.Length / ((horizon + 1) * numEnvs);
        var observationTensor = Tensor.From(observations, [(horizon + 1) * numEnvs, observationSize], device);
        var rolloutObservations = observationTensor.Narrow(0, 0, batchSize);
        var actionTensor = agent.Box is null
            ? Tensor.From(discreteActions, [batchSize], device)
            : Tensor.From(boxActions, [batchSize, agent.ActionSize], device);
        float[] values, oldLogProbabilities;
        using (LibTorch.NoGrad())
        {
            values = agent.Value(observationTensor).ToArray<float>();
            oldLogProbabilities = agent.Evaluate(rolloutObservations, actionTensor).LogProbability.ToArray<float>();
        }

        // GAE: δ_t = r_t + γ V(s_{t+1}) − V(s_t), A_t = δ_t + γλ A_{t+1} within an episode. A termination has no next
        // value; a truncation (and the rollout's end) bootstraps from the value of the state it stopped in.
        var advantages = new float[batchSize];
        var returns = new float[batchSize];
        for (int i = 0; i < numEnvs; i++)
        {
            double following = 0;
            for (int t = horizon - 1; t >= 0; t--)
            {
                int k = t * numEnvs + i;
                if (!valid[k])
                {
                    following = 0;
                    continue;
                }

                double nextValue = terminated[k] ? 0 : values[k + numEnvs];
                double delta = rewards[k] + options.Gamma * nextValue - values[k];
                following = delta + (terminated[k] || truncated[k] ? 0 : options.Gamma * options.GaeLambda * following);
                advantages[k] = (float)following;
                returns[k] = (float)(following + values[k]);
            }
        }

        int[] order = [.. Enumerable.Range(0, batchSize).Where(k => valid[k])];
        var parameters = agent.Parameters();
        double clipFractions = 0, policyLoss = 0, valueLoss = 0, entropy = 0, oldApproxKl = 0, approxKl = 0;
        int minibatchesDone = 0;
        var minibatch = new Minibatch(order.Length, observationSize, agent.Box is null ? 1 : agent.ActionSize);
        for (int epoch = 0; epoch < settings.UpdateEpochs; epoch++)
        {
            random.Shuffle(order);
            for (int m = 0; m < settings.Minibatches; m++)
            {
                int start = m * order.Length / settings.Minibatches, end = (m + 1) * order.Length / settings.Minibatches;
                // The figures logged, and the KL that TargetKl checks after each epoch, are the epoch's last minibatch's.
                bool lastOfEpoch = m == settings.Minibatches - 1;
                using var minibatchScope = LibTorch.NewDisposeScope();
                var (minibatchObservations, minibatchActions, oldLogProbability, minibatchAdvantages, minibatchReturns, oldValue) =
                    minibatch.Gather(order.AsSpan(start, end - start), observations, discreteActions, boxActions, oldLogProbabilities, advantages, returns, values, device);
                var (newLogProbability, entropyMean) = agent.Evaluate(minibatchObservations, minibatchActions);
                var logRatio = newLogProbability - oldLogProbability;
                var ratio = logRatio.Exp();
                double clipFraction;
                using (LibTorch.NoGrad())
                {
                    if (lastOfEpoch)
                    {
                        // http://joschu.net/blog/kl-approx.html: k1 = −log r, k3 = (r − 1) − log r.
                        oldApproxKl = (-logRatio).Mean().ItemDouble();
                        approxKl = (ratio - 1.0 - logRatio).Mean().ItemDouble();
                    }

                    clipFraction = ClipFraction(ratio.ToArray<float>(), options.ClipCoefficient);
                }

                if (options.NormalizeAdvantages) minibatchAdvantages = (minibatchAdvantages - minibatchAdvantages.Mean()) / (minibatchAdvantages.Std() + 1e-8);

                // Policy loss: the pessimistic (larger) of the plain and the clipped surrogate losses.
                var negativeAdvantages = -minibatchAdvantages;
                var unclippedPolicyLoss = negativeAdvantages * ratio;
                var clippedPolicyLoss = negativeAdvantages * ratio.Clamp(1 - options.ClipCoefficient, 1 + options.ClipCoefficient);
                var policyLossTensor = unclippedPolicyLoss.Maximum(clippedPolicyLoss).Mean();

                // Value loss: optionally the larger of the plain and the clipped squared errors (clipped around the rollout's values).
                var newValue = agent.Value(minibatchObservations);
                var unclippedValueLoss = (newValue - minibatchReturns).Pow(2);
                Tensor valueLossTensor;
                if (options.ClipValueLoss)
                {
                    var clippedValue = oldValue + (newValue - oldValue).Clamp(-options.ClipCoefficient, options.ClipCoefficient);
                    valueLossTensor = 0.5 * unclippedValueLoss.Maximum((clippedValue - minibatchReturns).Pow(2)).Mean();
                }
                else
                {
                    valueLossTensor = 0.5 * unclippedValueLoss.Mean();
                }

                var loss = policyLossTensor - settings.EntropyCoefficient * entropyMean + options.ValueCoefficient * valueLossTensor;
                optimizer.ZeroGrad();
                loss.Backward();
                GradClip.ClipGradNorm(parameters, options.MaxGradNorm);
                optimizer.Step();

                clipFractions += clipFraction;
                minibatchesDone++;
                if (lastOfEpoch)
                {
                    policyLoss = policyLossTensor.ItemDouble();
                    valueLoss = valueLossTensor.ItemDouble();
                    entropy = entropyMean.ItemDouble();
                }
            }

            if (options.TargetKl is double targetKl && approxKl > targetKl) break;
        }

        // Explained variance of the returns by the rollout's values: 1 is perfect, 0 no better than their mean.
        double explainedVariance = ExplainedVariance(order.Select(k => (double)values[k]), order.Select(k => (double)returns[k]));
        return new Dictionary<string, double>
        {
            ["value_loss"] = valueLoss, ["policy_loss"] = policyLoss, ["entropy"] = entropy, ["old_approx_kl"] = oldApproxKl,
            ["approx_kl"] = approxKl, ["clipfrac"] = clipFractions / minibatchesDone, ["explained_variance"] = explainedVariance,
        };
    }

    /// <summary>
    /// Host buffers a minibatch is gathered into, by its transitions' indices in the rollout, and handed to libtorch as
    /// one tensor per figure: the values index_select would pick from tensors of the whole rollout, in six native calls
    /// instead of eight (an index tensor and seven index_selects, the observations selected once for the actor and once
    /// for the critic).
    /// </summary>
    private sealed class Minibatch(int capacity, int observationSize, int actionWidth)
    {
        private readonly float[] observations = new float[capacity * observationSize];
        private readonly long[] discreteActions = new long[capacity];
        private readonly float[] boxActions = new float[capacity * actionWidth];
        private readonly float[] oldLogProbabilities = new float[capacity];
        private readonly float[] advantages = new float[capacity];
        private readonly float[] returns = new float[capacity];
        private readonly float[] values = new float[capacity];

        /// <summary>
        /// The rows <paramref name="indices"/> of the rollout's arrays, as tensors on <paramref name="device"/>: observations
        /// [n, obs], actions (int64 [n] when <paramref name="rolloutDiscreteActions"/> is not empty, else float [n, width]),
        /// and [n] old log-probabilities, advantages, returns and values.
        /// </summary>
        public (Tensor Observations, Tensor Actions, Tensor OldLogProbabilities, Tensor Advantages, Tensor Returns, Tensor Values) Gather(
            ReadOnlySpan<int> indices, float[] rolloutObservations, long[] rolloutDiscreteActions, float[] rolloutBoxActions,
            float[] rolloutOldLogProbabilities, float[] rolloutAdvantages, float[] rolloutReturns, float[] rolloutValues, Device device)
        {
            int n = indices.Length;
            bool discrete = rolloutDiscreteActions.Length > 0;
            for (int j = 0; j < n; j++)
            {
                int k = indices[j];
                rolloutObservations.AsSpan(k * observationSize, observationSize).CopyTo(observations.AsSpan(j * observationSize));
                if (discrete) discreteActions[j] = rolloutDiscreteActions[k];
                else rolloutBoxActions.AsSpan(k * actionWidth, actionWidth).CopyTo(boxActions.AsSpan(j * actionWidth));
                oldLogProbabilities[j] = rolloutOldLogProbabilities[k];
                advantages[j] = rolloutAdvantages[k];
                returns[j] = rolloutReturns[k];
                values[j] = rolloutValues[k];
            }

            return (
                Tensor.From(observations.AsSpan(0, n * observationSize), [n, observationSize], device),
                discrete ? Tensor.From(discreteActions.AsSpan(0, n), [n], device) : Tensor.From(boxActions.AsSpan(0, n * actionWidth), [n, actionWidth], device),
                Tensor.From(oldLogProbabilities.AsSpan(0, n), [n], device),
                Tensor.From(advantages.AsSpan(0, n), [n], device),
                Tensor.From(returns.AsSpan(0, n), [n], device),
                Tensor.From(values.AsSpan(0, n), [n], device));
        }
    }

    /// <summary>1 − Var(returns − predictions) / Var(returns) (population variances); NaN when the returns do not vary.</summary>
    private static double ExplainedVariance(IEnumerable<double> predictions, IEnumerable<double> returns)
    {
        double[] predicted = [.. predictions], actual = [.. returns];
        static double Variance(IReadOnlyList<double> values)
        {
            double mean = values.Average();
            return values.Sum(value => (value - mean) * (value - mean)) / values.Count;
        }

        double returnVariance = Variance(actual);
        return returnVariance == 0 ? double.NaN : 1 - Variance([.. actual.Select((value, k) => value - predicted[k])]) / returnVariance;
    }

    /// <summary>
    /// The fraction of the ratios r with |r − 1| &gt; <paramref name="clipCoefficient"/>, as CleanRL's
    /// <c>((ratio - 1.0).abs() &gt; clip_coef).float().mean()</c> computes it in float32 (the count is exact, then one
    /// float division), counted here instead of in four more libtorch operations.
    /// </summary>
    private static double ClipFraction(ReadOnlySpan<float> ratios, double clipCoefficient)
    {
        float threshold = (float)clipCoefficient;
        int clipped = 0;
        foreach (float ratio in ratios)
        {
            if (MathF.Abs(ratio - 1f) > threshold) clipped++;
        }

        return (float)clipped / ratios.Length;
    }

    /// <summary>The greedy policy on raw env observations: normalised by the (frozen) statistic when there is one.</summary>
    private static Func<object, object> Greedy(Agent agent, RunningMeanStd? observationStatistics, double observationClip) => observation =>
    {
        var array = (NDArray)observation;
        var input = new float[array.Length];
        Networks.ToFloat32(array, input);
        observationStatistics?.Normalize(input, input, observationClip);
        return agent.Greedy(input);
    };

    private static State ReadState(string checkpoint) =>
        JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(checkpoint, StateFile)))
            ?? throw new AgentException($"{checkpoint}/{StateFile} is empty");

    // ---------------------------------------------------------------- playing

    private static Func<object, object> LoadGreedy(string runDirectory, string deviceName)
    {
        var options = RunConfig.Load(runDirectory).AlgorithmOptions<Options>();
        string checkpoint = Checkpoints.Latest(runDirectory) ?? throw new AgentException($"{runDirectory} has no checkpoint yet");
        var device = Device.Parse(deviceName);
        var (observationSize, outputs) = ModelFiles.InputOutputSizes(checkpoint, "actor");
        var state = ReadState(checkpoint);
        var box = state.ActionLow is { } low && state.ActionHigh is { } high ? new BoxActions(low, high) : null;
        var agent = new Agent(observationSize, outputs, box, options.HiddenSizes, device);
        ModelFiles.Load(checkpoint, agent.Networks);
        var statistics = state.ObservationStatistics is { } saved ? RunningMeanStd.Load(saved) : null;
        return Greedy(agent, statistics, options.ObservationClip);
    }
}
