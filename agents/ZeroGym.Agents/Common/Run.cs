using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ZeroGym.Agents.Common;

/// <summary>
/// One training run, as an algorithm sees it: its options and directory, the env server to use, the CSV logs, the
/// live progress line, the learning curve and the checkpoints. The <c>train</c> command starts it, hands it to the
/// algorithm, then calls <see cref="Finish"/>; disposing it stops the local env server.
/// </summary>
/// <remarks>
/// Ordering convention: a checkpoint at global step N is saved after everything of step N is logged, so resuming from
/// it keeps the rows up to N and the algorithm logs the rest again exactly as an uninterrupted run would.
/// </remarks>
public sealed class Run : IDisposable
{
    public const string CurveFile = "learning_curve.svg";
    public const string ServerLogFile = "server.log";

    /// <summary>Episodes behind the "recent mean return" of the progress line.</summary>
    public const int RecentEpisodes = 20;

    private static readonly TimeSpan CurveInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SpeedInterval = TimeSpan.FromSeconds(1);

    private readonly RunConfig config;
    private readonly RunLogs logs;
    private readonly ProgressLine progress;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Stopwatch sinceCurve = Stopwatch.StartNew();
    private readonly Stopwatch sinceSpeed = Stopwatch.StartNew();
    private readonly long startStep;
    private readonly Queue<double> recentReturns = new();
    private LocalServer? server;
    private PosixSignalRegistration[] signals = [];
    private long episodes;
    private long lastStep;
    private long lastEvaluationCheck;
    private EvaluationPoint? lastEvaluation;
    private IReadOnlyDictionary<string, double> lastLosses = new Dictionary<string, double>();

    private Run(RunConfig config, string directory, TextWriter console)
    {
        this.config = config;
        Directory = directory;
        progress = new ProgressLine(console, interactive: ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected);
        logs = new RunLogs(directory);
        ServerAddress = config.Common.Server ?? "";
        if (config.Common.Resume)
        {
            string? checkpoint = LatestCheckpoint;
            long resumeStep = checkpoint is null ? -1 : Checkpoints.StepOf(checkpoint)!.Value;
            TruncateLogsAfter(resumeStep);
            startStep = lastStep = lastEvaluationCheck = Math.Max(resumeStep, 0);
        }
    }

    public TrainOptions Options => config.Common;

    /// <summary>The env server to make envs on: <see cref="TrainOptions.Server"/>, or the local server this run started.</summary>
    public string ServerAddress { get; private set; }

    /// <summary>How to connect to the server (its CURVE keys, when it encrypts); never saved with the run.</summary>
    public ClientOptions ClientOptions { get; private set; } = new();

    /// <summary>A connection to <see cref="ServerAddress"/> with <see cref="ClientOptions"/>.</summary>
    public ZeroGymClient Connect() => new(ServerAddress, ClientOptions);

    /// <summary>Makes the run's env (<see cref="TrainOptions.EnvId"/> with its <see cref="TrainOptions.EnvKwargs"/>) on <paramref name="client"/>.</summary>
    public RemoteEnv MakeEnv(ZeroGymClient client, string? renderMode = null) =>
        client.Make(Options.EnvId, EnvKwargs.ToWire(Options.EnvKwargs), renderMode);

    /// <summary>
    /// Makes <paramref name="numEnvs"/> copies of the run's env as one vector env on <paramref name="client"/>, whose
    /// results come back <paramref name="batchSize"/> sub-envs at a time (default: all of them). With a
    /// <see cref="TrainOptions.Placement"/> the cluster places them over its nodes, and a node's loss is written to the
    /// console while its sub-envs are made anew on live nodes, so training goes on.
    /// </summary>
    public RemoteVectorEnv MakeVectorEnv(ZeroGymClient client, int numEnvs, int? batchSize = null)
    {
        if (Options.NodePlacement is not { } placement) return client.MakeVec(Options.EnvId, numEnvs, EnvKwargs.ToWire(Options.EnvKwargs), batchSize: batchSize);
        var envs = client.MakeVec(Options.EnvId, numEnvs, new VectorEnvOptions
        {
            Kwargs = EnvKwargs.ToWire(Options.EnvKwargs), BatchSize = batchSize, Placement = placement, OnNodeLost = NodeLossPolicy.Recreate,
        });
        progress.WriteLine($"{numEnvs} envs placed ({Options.Placement}): {DescribeNodes(envs.Nodes)}");
        envs.NodeLost += loss => progress.WriteLine(Invariant(
            $"node {loss.Node} lost at step {lastStep:N0}: sub-envs [{string.Join(", ", loss.EnvIds)}] re-made on {DescribeNodes(loss.NewNodes)}; training goes on"));
        return envs;
    }

    private static string DescribeNodes(IEnumerable<string> nodes) =>
        string.Join(", ", nodes.CountBy(node => node).Select(group => $"{group.Key} ({group.Value})"));

    /// <summary>The run directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The newest checkpoint's directory, or null when there is none: a resumed run continues from it.</summary>
    public string? LatestCheckpoint => Checkpoints.Latest(Directory);

    /// <summary>
    /// Starts a run: validates the options, creates the run directory (new runs need it new or empty) or checks a
    /// resumed run's options against its config.json, writes config.json, and starts a local env server when
    /// <see cref="TrainOptions.Server"/> is null. Mistakes are <see cref="AgentException"/>s saying what to change.
    /// </summary>
    /// <param name="algorithmOptions">The algorithm's own options, saved for a new run; a resumed run keeps its saved ones.</param>
    /// <param name="console">Where the progress line and the summary go.</param>
    /// <param name="clientOptions">How to connect to the server (CURVE keys); default plain text.</param>
    public static Run Start(TrainOptions options, object algorithmOptions, TextWriter console, ClientOptions? clientOptions = null)
    {
        options.Validate();
        string directory = Path.GetFullPath(options.RunDir);
        RunConfig config;
        if (options.Resume)
        {
            config = RunConfig.Load(directory).Resume(options);
        }
        else
        {
            if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new AgentException(
                    $"--run-dir {options.RunDir} already exists and is not empty; a new run needs a new or empty directory " +
                    "(pass --resume to continue the run in it)");
            }

            System.IO.Directory.CreateDirectory(directory);
            config = RunConfig.Create(options, algorithmOptions);
        }

        config.Save(directory);
        var run = new Run(config, directory, console) { ClientOptions = clientOptions ?? new ClientOptions() };
        try
        {
            run.Announce();
            run.StartServerIfNeeded();
            run.HandleTerminationSignals();
            run.clock.Restart(); // steps/s measures training, not the server's start
        }
        catch
        {
            run.Dispose();
            throw;
        }

        return run;
    }

    /// <summary>The algorithm's own options as saved in config.json.</summary>
    public T AlgorithmOptions<T>() => config.AlgorithmOptions<T>();

    /// <summary>Logs a finished episode: a metrics.csv row, and the progress line's episode count and recent mean.</summary>
    public void LogEpisode(long globalStep, double episodicReturn, int episodicLength)
    {
        episodes++;
        logs.AppendEpisode(globalStep, episodes, episodicReturn, episodicLength);
        Remember(episodicReturn);
        lastStep = Math.Max(lastStep, globalStep);
    }

    /// <summary>
    /// Logs a losses.csv row: <c>global_step</c> and one column per key (e.g. td_loss, q_values, epsilon). The first
    /// call fixes the columns and their order; the first column is the curve's loss panel. The latest values show on
    /// the progress line.
    /// </summary>
    public void LogLosses(long globalStep, IReadOnlyDictionary<string, double> values)
    {
        logs.AppendLosses(globalStep, values);
        lastLosses = new Dictionary<string, double>(values);
        lastStep = Math.Max(lastStep, globalStep);
    }

    /// <summary>Logs a greedy evaluation (an eval.csv row and a console line) and redraws the learning curve.</summary>
    public void LogEvaluation(long globalStep, IReadOnlyList<double> returns)
    {
        if (returns.Count == 0) throw new ArgumentException("an evaluation needs at least one episode's return", nameof(returns));
        double mean = returns.Average();
        double std = Math.Sqrt(returns.Sum(value => (value - mean) * (value - mean)) / returns.Count);
        logs.AppendEvaluation(globalStep, mean, std, returns.Count);
        lastEvaluation = new EvaluationPoint(globalStep, mean, std);
        lastStep = Math.Max(lastStep, globalStep);
        progress.WriteLine(Invariant($"eval at step {globalStep:N0}: {mean:0.##} ± {std:0.##} over {returns.Count} episodes"));
        WriteCurve();
    }

    /// <summary>
    /// Updates the live line (steps, steps/s, episodes, recent mean return, last evaluation, the latest losses and
    /// <paramref name="extra"/>); cheap to call every step, it is throttled. Redraws the curve every 30 s.
    /// </summary>
    public void Progress(long globalStep, IReadOnlyDictionary<string, double>? extra = null)
    {
        lastStep = Math.Max(lastStep, globalStep);
        if (sinceCurve.Elapsed >= CurveInterval) WriteCurve();
        double seconds = clock.Elapsed.TotalSeconds;
        if (sinceSpeed.Elapsed >= SpeedInterval && seconds > 0)
        {
            logs.AppendSpeed(globalStep, (globalStep - startStep) / seconds);
            sinceSpeed.Restart();
        }

        if (!progress.IsDue) return;

        var parts = new List<string>
        {
            Invariant($"step {globalStep:N0}/{Options.TotalSteps:N0} ({100.0 * globalStep / Options.TotalSteps:0.0}%)"),
            Invariant($"{(seconds > 0 ? (globalStep - startStep) / seconds : 0):N0} steps/s"),
            Invariant($"{episodes:N0} episodes"),
        };
        if (recentReturns.Count > 0) parts.Add(Invariant($"return {recentReturns.Average():0.##} (last {recentReturns.Count})"));
        if (lastEvaluation is not null) parts.Add(Invariant($"eval {lastEvaluation.Mean:0.##}"));
        foreach (var (name, value) in lastLosses.Concat(extra ?? new Dictionary<string, double>()))
        {
            parts.Add(Invariant($"{name} {value:G4}"));
        }

        progress.Update(string.Join(" | ", parts));
    }

    /// <summary>
    /// Whether a greedy evaluation is due: true when the steps since the previous call crossed a multiple of
    /// <see cref="TrainOptions.EvalEvery"/> (so vector envs, which advance several steps at once, never miss one).
    /// Call it once per (vector) step; never true when EvalEvery is 0.
    /// </summary>
    public bool EvaluationDue(long globalStep)
    {
        long every = Options.EvalEvery;
        bool due = every > 0 && globalStep / every > lastEvaluationCheck / every;
        lastEvaluationCheck = globalStep;
        return due;
    }

    /// <summary>
    /// Saves a checkpoint of <paramref name="globalStep"/>: <paramref name="writeFiles"/> writes the algorithm's files
    /// (parameters, optimiser and RNG state, counters...) into the directory it is given, which becomes
    /// checkpoints/step-&lt;12 digits&gt;/ only once complete; <c>latest</c> then names it and only the newest
    /// <see cref="Checkpoints.Kept"/> stay. Save after logging everything of that step (see the remarks).
    /// </summary>
    public void SaveCheckpoint(long globalStep, Action<string> writeFiles)
    {
        // A resume keeps the rows up to the checkpoint's step: they must be on disk before it exists.
        logs.Flush();
        Checkpoints.Save(Directory, globalStep, writeFiles);
        lastStep = Math.Max(lastStep, globalStep);
    }

    /// <summary>
    /// Drops every CSV row logged after <paramref name="globalStep"/>, so a resumed run's logs end up equal to an
    /// uninterrupted run's. <see cref="Start"/> already does it for a resumed run's latest checkpoint.
    /// </summary>
    public void TruncateLogsAfter(long globalStep)
    {
        logs.TruncateAfter(globalStep);
        ReloadStatistics();
    }

    /// <summary>Draws the final learning curve and prints where the config, logs, curve and checkpoint are.</summary>
    public void Finish()
    {
        WriteCurve();
        var elapsed = clock.Elapsed;
        double stepsPerSecond = elapsed.TotalSeconds > 0 ? (lastStep - startStep) / elapsed.TotalSeconds : 0;
        string finished = Invariant($"train: finished {Options.Algo} on {Options.EnvId} at step {lastStep:N0} of {Options.TotalSteps:N0}");
        string pace = Invariant($"in {elapsed:hh\\:mm\\:ss} ({stepsPerSecond:N0} steps/s), {episodes:N0} episodes");
        progress.WriteLine($"{finished} {pace}");
        if (lastEvaluation is not null)
        {
            progress.WriteLine(Invariant($"  last evaluation  {lastEvaluation.Mean:0.##} ± {lastEvaluation.Std:0.##} at step {lastEvaluation.Step:N0}"));
        }

        var places = new List<(string What, string Path)>
        {
            ("run directory", Directory),
            ("options", Path.Combine(Directory, RunConfig.FileName)),
            ("episodes", Path.Combine(Directory, RunLogs.MetricsFile)),
            ("evaluations", Path.Combine(Directory, RunLogs.EvaluationsFile)),
            ("losses", Path.Combine(Directory, RunLogs.LossesFile)),
            ("tensorboard", logs.EventFilePath),
            ("learning curve", Path.Combine(Directory, CurveFile)),
            ("checkpoint", LatestCheckpoint ?? ""),
            ("server log", Path.Combine(Directory, ServerLogFile)),
        };
        foreach (var (what, path) in places.Where(place => File.Exists(place.Path) || System.IO.Directory.Exists(place.Path)))
        {
            progress.WriteLine($"  {what,-15}  {Display(path)}");
        }

        progress.WriteLine($"  {"play it",-15}  scripts/play --run-dir {Display(Directory)} --video {Display(Path.Combine(Directory, "episode.mp4"))}");
    }

    /// <summary>Writes the logs out and stops the local env server, if this run started one.</summary>
    public void Dispose()
    {
        foreach (var signal in signals) signal.Dispose();
        signals = [];
        logs.Dispose();
        server?.Stop();
    }

    private void Announce()
    {
        var options = Options;
        string what = Invariant($"train: {options.Algo} on {options.EnvId}, seed {options.Seed}, {options.TotalSteps:N0} steps");
        string how = Invariant($"{options.NumEnvs} env(s), device {options.Device}; run directory {Display(Directory)}");
        progress.WriteLine($"{what}, {how}");
        if (options.EnvKwargs is { Count: > 0 } kwargs) progress.WriteLine($"train: env kwargs {EnvKwargs.Describe(kwargs)}");
        if (!options.Resume) return;
        string? checkpoint = LatestCheckpoint;
        progress.WriteLine(checkpoint is null
            ? "train: resuming a run without a checkpoint: it starts over (its logged rows were dropped)"
            : Invariant($"train: resuming from {Display(checkpoint)} (rows logged after step {startStep:N0} were dropped)"));
    }

    private void StartServerIfNeeded()
    {
        if (Options.Server is not null) return;
        string log = Path.Combine(Directory, ServerLogFile);
        server = LocalServer.Start(log);
        ServerAddress = server.Address;
        progress.WriteLine($"train: started a local env server at {server.Address} (pid {server.ProcessId}, log {Display(log)})");
    }

    /// <summary>Interrupted without a chance to run Dispose (Ctrl-C, kill), the run still writes its logs out and stops its server.</summary>
    private void HandleTerminationSignals() =>
        signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnTerminationSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminationSignal),
        ];

    private void OnTerminationSignal(PosixSignalContext context)
    {
        logs.Flush();
        server?.Stop();
        progress.WriteLine(Invariant(
            $"train: interrupted at step {lastStep:N0}; continue with: scripts/train {Options.Algo} --resume --run-dir {Display(Directory)}"));
    }

    private void WriteCurve()
    {
        var (lossName, losses) = logs.FirstLoss();
        string title = Invariant($"{Options.Algo} on {Options.EnvId}, seed {Options.Seed}");
        LearningCurve.Write(Path.Combine(Directory, CurveFile), title, logs.Returns(), logs.Evaluations(), lossName, losses);
        sinceCurve.Restart();
    }

    /// <summary>Episode count, recent returns and last evaluation, from the logs as they are on disk.</summary>
    private void ReloadStatistics()
    {
        var returns = logs.Returns();
        episodes = returns.Count;
        recentReturns.Clear();
        foreach (var point in returns.TakeLast(RecentEpisodes)) Remember(point.Value);
        lastEvaluation = logs.Evaluations().LastOrDefault();
    }

    private void Remember(double episodicReturn)
    {
        recentReturns.Enqueue(episodicReturn);
        if (recentReturns.Count > RecentEpisodes) recentReturns.Dequeue();
    }

    /// <summary>A path relative to the current directory when it lies below it, else in full.</summary>
    private static string Display(string path)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
