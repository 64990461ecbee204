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
    /// Returns calls per second, the mean and percentiles of the latency in microseconds (an operation whose calls
    /// alternate between two costs, as an update with a delayed policy step, has its p50 on one of them: its cost per
    /// call is the mean) and the process CPU time per call (which a busy machine inflates less than the wall time).
    /// </summary>
    public static Dictionary<string, object> Latency(string name, double seconds, Action operation, int itemsPerCall = 1)
    {
        Run(WarmUpSeconds, operation, null);
        var latencies = new List<long>(1 << 20);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var elapsed = Run(seconds, operation, latencies);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        latencies.Sort();
        double Percentile(double p) => latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)] * 1e6 / Stopwatch.Frequency;
        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["calls_per_s"] = Math.Round(latencies.Count / elapsed, 1),
            ["items_per_s"] = Math.Round(latencies.Count * itemsPerCall / elapsed, 1),
            ["mean_us"] = Math.Round(elapsed * 1e6 / latencies.Count, 2),
            ["p50_us"] = Math.Round(Percentile(0.50), 2),
            ["p90_us"] = Math.Round(Percentile(0.90), 2),
            ["p99_us"] = Math.Round(Percentile(0.99), 2),
            ["cpu_us_per_call"] = Math.Round(cpu.TotalMicroseconds / latencies.Count, 1),
        };
    }

    /// <summary>
    /// Calls (times <paramref name="itemsPerCall"/>) per second of a cheap operation, timed in batches so the clock
    /// costs nothing: per second of wall time
    /// (<c>items_per_s</c>) and per second of this process's CPU time (<c>items_per_cpu_s</c>, the rate per core of a
    /// single-threaded operation; on a machine shared with other work it stays put while the wall-time rate drops),
    /// and the bytes this thread allocated per call (<c>bytes_allocated_per_call</c>).
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
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        double elapsed = Run(seconds, Batch, batches);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        long calls = (long)batches.Count * batch;
        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["items_per_s"] = Math.Round((double)calls * itemsPerCall / elapsed, 1),
            ["items_per_cpu_s"] = Math.Round((double)calls * itemsPerCall / cpuSeconds, 1),
            // Garbage is CPU time later (collections, zeroing fresh memory): what a call allocates shows it.
            ["bytes_allocated_per_call"] = Math.Round((double)allocated / calls),
        };
    }

    /// <summary>
    /// Times several operations side by side: after a warm-up of each, they take turns in rounds of
    /// <see cref="RoundSeconds"/> until each has run <paramref name="seconds"/>, so a machine that slows down meanwhile
    /// (other work on shared cores) slows them all alike and their ratio holds. Returns, per operation, what
    /// <see cref="Latency"/> does.
    /// </summary>
    public static List<Dictionary<string, object>> Interleaved(IReadOnlyList<TimedOperation> operations, double seconds)
    {
        foreach (var operation in operations) Run(WarmUpSeconds, operation.Operation, null);
        var latencies = operations.Select(_ => new List<long>()).ToList();
        var elapsed = new double[operations.Count];
        var cpu = new TimeSpan[operations.Count];
        using var process = Process.GetCurrentProcess();
        for (double done = 0; done < seconds; done += RoundSeconds)
        {
            for (int i = 0; i < operations.Count; i++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                elapsed[i] += Run(RoundSeconds, operations[i].Operation, latencies[i]);
                process.Refresh();
                cpu[i] += process.TotalProcessorTime - cpuBefore;
            }
        }

        return [.. operations.Select((operation, i) =>
        {
            var sorted = latencies[i].Order().ToList();
            double Percentile(double p) => sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)] * 1e6 / Stopwatch.Frequency;
            return new Dictionary<string, object>
            {
                ["name"] = operation.Name,
                ["calls_per_s"] = Math.Round(sorted.Count / elapsed[i], 1),
                ["items_per_s"] = Math.Round((double)sorted.Count * operation.ItemsPerCall / elapsed[i], 1),
                ["mean_us"] = Math.Round(elapsed[i] * 1e6 / sorted.Count, 2),
                ["p50_us"] = Math.Round(Percentile(0.50), 2),
                ["p90_us"] = Math.Round(Percentile(0.90), 2),
                ["p99_us"] = Math.Round(Percentile(0.99), 2),
                ["cpu_us_per_call"] = Math.Round(cpu[i].TotalMicroseconds / sorted.Count, 1),
            };
        })];
    }

    /// <summary>One operation that <see cref="Interleaved"/> times; a call makes <paramref name="ItemsPerCall"/> items (env-steps).</summary>
    public sealed record TimedOperation(string Name, Action Operation, int ItemsPerCall = 1);

    /// <summary>The length of one turn of <see cref="Interleaved"/>.</summary>
    private const double RoundSeconds = 0.25;

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
