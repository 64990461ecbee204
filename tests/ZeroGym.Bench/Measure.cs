using System.Diagnostics;
using System.Text.Json;

namespace ZeroGym.Bench;

/// <summary>Timing loops and the JSON line each benchmark prints (tests/bench/report.py makes the table).</summary>
internal static class Measure
{
    /// <summary>
    /// Untimed running first, so tiered JIT has promoted the hot path: on one core it needs a few seconds,
    /// and a shorter warm-up measured tier-0 code.
    /// </summary>
    private const double WarmUpSeconds = 3.0;

    /// <summary>
    /// Runs <paramref name="operation"/> for <see cref="WarmUpSeconds"/>, then for <paramref name="seconds"/>, timing each call.
    /// Returns calls per second and latency percentiles in microseconds.
    /// </summary>
    public static Dictionary<string, object> Latency(string name, double seconds, Action operation, int itemsPerCall = 1)
    {
        Run(WarmUpSeconds, operation, null);
        var latencies = new List<long>(1 << 20);
        var elapsed = Run(seconds, operation, latencies);
        latencies.Sort();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)] * 1e6 / Stopwatch.Frequency;
        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["calls_per_s"] = Math.Round(latencies.Count / elapsed, 1),
            ["items_per_s"] = Math.Round(latencies.Count * itemsPerCall / elapsed, 1),
            ["p50_us"] = Math.Round(Percentile(0.50), 2),
            ["p90_us"] = Math.Round(Percentile(0.90), 2),
            ["p99_us"] = Math.Round(Percentile(0.99), 2),
        };
    }

    /// <summary>
    /// Calls (times <paramref name="itemsPerCall"/>) per second of a cheap operation, timed in batches so the clock
    /// costs nothing: per second of wall time
    /// (<c>items_per_s</c>) and per second of this process's CPU time (<c>items_per_cpu_s</c>, the rate per core of a
    /// single-threaded operation; on a machine shared with other work it stays put while the wall-time rate drops).
    /// </summary>
    public static Dictionary<string, object> Throughput(string name, double seconds, Action operation, int batch = 10_000, int itemsPerCall = 1)
    {
        void Batch()
        {
            for (int i = 0; i < batch; i++) operation();
        }

        Run(WarmUpSeconds, Batch, null);
        var batches = new List<long>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        double elapsed = Run(seconds, Batch, batches);
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["items_per_s"] = Math.Round((double)batches.Count * batch * itemsPerCall / elapsed, 1),
            ["items_per_cpu_s"] = Math.Round((double)batches.Count * batch * itemsPerCall / cpuSeconds, 1),
        };
    }

    public static void Print(Dictionary<string, object> result)
    {
        Console.WriteLine(JsonSerializer.Serialize(result));
        Console.Out.Flush();
    }

    private static double Run(double seconds, Action operation, List<long>? latencies)
    {
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(seconds * Stopwatch.Frequency);
        long now = start;
        while (now < end)
        {
            operation();
            long after = Stopwatch.GetTimestamp();
            latencies?.Add(after - now);
            now = after;
        }

        return (now - start) / (double)Stopwatch.Frequency;
    }
}
