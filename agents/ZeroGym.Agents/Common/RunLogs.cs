using ZeroGym.Agents.TensorBoard;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The CSV logs of a run, keyed by global step (env steps over every env):
/// <list type="bullet">
/// <item>metrics.csv: <c>global_step,episode,episodic_return,episodic_length</c>, one row per finished episode
/// (episode counts from 1);</item>
/// <item>losses.csv: <c>global_step</c> and one column per value the algorithm logs, fixed by its first row;</item>
/// <item>eval.csv: <c>global_step,mean_return,std_return,episodes</c>, one row per greedy evaluation (population
/// standard deviation).</item>
/// </list>
/// The same figures go to a TensorBoard event file (<see cref="ScalarEventFile"/>) under the tags CleanRL uses:
/// <c>charts/episodic_return</c>, <c>charts/episodic_length</c>, <c>losses/&lt;column&gt;</c> (a column named
/// <c>learning_rate</c> is <c>charts/learning_rate</c>), <c>eval/mean_return</c>, and <c>charts/SPS</c>, which
/// only the event file has. Rows reach the disk at least every <see cref="FlushInterval"/> while rows are logged, and on <see cref="Flush"/>.
/// </summary>
internal sealed class RunLogs : IDisposable
{
    /// <summary>How long a logged row may wait in memory: a live reader of the files is this far behind at most.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    public const string MetricsFile = "metrics.csv";
    public const string LossesFile = "losses.csv";
    public const string EvaluationsFile = "eval.csv";

    private static readonly string[] MetricsHeader = ["global_step", "episode", "episodic_return", "episodic_length"];
    private static readonly string[] EvaluationsHeader = ["global_step", "mean_return", "std_return", "episodes"];

    private readonly CsvFile metrics;
    private readonly CsvFile losses;
    private readonly CsvFile evaluations;
    private readonly ScalarEventFile events;
    private readonly System.Diagnostics.Stopwatch sinceFlush = System.Diagnostics.Stopwatch.StartNew();
    private IReadOnlyList<string>? lossColumns;

    public RunLogs(string directory)
    {
        metrics = new CsvFile(Path.Combine(directory, MetricsFile));
        losses = new CsvFile(Path.Combine(directory, LossesFile));
        evaluations = new CsvFile(Path.Combine(directory, EvaluationsFile));
        metrics.Create(MetricsHeader);
        evaluations.Create(EvaluationsHeader);
        lossColumns = losses.ReadHeader()?.Skip(1).ToList();
        events = ScalarEventFile.Open(directory);
    }

    /// <summary>The run's TensorBoard event file.</summary>
    public string EventFilePath => events.Path;

    public void AppendEpisode(long globalStep, long episode, double episodicReturn, int episodicLength)
    {
        metrics.Append([globalStep, episode, episodicReturn, episodicLength]);
        events.Add(globalStep, [("charts/episodic_return", episodicReturn), ("charts/episodic_length", episodicLength)]);
        FlushIfDue();
    }

    /// <summary>Appends a losses row; the first call fixes the columns, later calls must give the same keys.</summary>
    public void AppendLosses(long globalStep, IReadOnlyDictionary<string, double> values)
    {
        if (lossColumns is null)
        {
            if (values.Count == 0) throw new ArgumentException("log at least one loss value", nameof(values));
            var columns = values.Keys.ToList();
            foreach (string column in columns)
            {
                if (column.Length == 0 || column.Contains(',') || column.Contains('\n') || column == "global_step")
                {
                    throw new ArgumentException($"a losses.csv column needs a plain name (no comma or newline, not global_step); got '{column}'", nameof(values));
                }
            }

            losses.Create(["global_step", .. columns]);
            lossColumns = columns;
        }
        else if (values.Count != lossColumns.Count || !lossColumns.All(values.ContainsKey))
        {
            throw new ArgumentException(
                $"losses.csv has the columns {string.Join(", ", lossColumns)}; this row has {string.Join(", ", values.Keys)}", nameof(values));
        }

        losses.Append([globalStep, .. lossColumns.Select(column => values[column])]);
        events.Add(globalStep, lossColumns.Select(column => (column == "learning_rate" ? "charts/learning_rate" : "losses/" + column, values[column])));
        FlushIfDue();
    }

    public void AppendEvaluation(long globalStep, double mean, double std, int episodes)
    {
        evaluations.Append([globalStep, mean, std, episodes]);
        events.Add(globalStep, [("eval/mean_return", mean)]);
        Flush();
    }

    /// <summary>Training speed in env steps per second (the event file's <c>charts/SPS</c>; no CSV has it).</summary>
    public void AppendSpeed(long globalStep, double stepsPerSecond)
    {
        events.Add(globalStep, [("charts/SPS", stepsPerSecond)]);
        FlushIfDue();
    }

    /// <summary>Writes every row logged so far to the files.</summary>
    public void Flush()
    {
        foreach (var file in Files) file.Flush();
        events.Flush();
        sinceFlush.Restart();
    }

    /// <summary>Flushes and closes the files.</summary>
    public void Dispose()
    {
        foreach (var file in Files) file.Dispose();
        events.Dispose();
    }

    /// <summary>Drops every row logged after <paramref name="globalStep"/> (and any torn row) from the files.</summary>
    public void TruncateAfter(long globalStep)
    {
        foreach (var file in Files) file.KeepRows(row => row[0] <= globalStep);
        events.KeepStepsUpTo(globalStep);
    }

    private CsvFile[] Files => [metrics, losses, evaluations];

    private void FlushIfDue()
    {
        if (sinceFlush.Elapsed >= FlushInterval) Flush();
    }

    /// <summary>Episodic returns in the order they were logged.</summary>
    public IReadOnlyList<CurvePoint> Returns() =>
        metrics.ReadRows().Select(row => new CurvePoint((long)row[0], row[2])).ToList();

    public IReadOnlyList<EvaluationPoint> Evaluations() =>
        evaluations.ReadRows().Select(row => new EvaluationPoint((long)row[0], row[1], row[2])).ToList();

    /// <summary>The first loss column (the main loss by convention) and its values; no name before any loss is logged.</summary>
    public (string? Name, IReadOnlyList<CurvePoint> Points) FirstLoss() =>
        lossColumns is null ? (null, []) : (lossColumns[0], losses.ReadRows().Select(row => new CurvePoint((long)row[0], row[1])).ToList());
}
