using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZeroGym.Tests.Cluster;

/// <summary>
/// A real cluster on this machine for one test class: a private redis-server (free port, no persistence, its own
/// temp dir) and env server processes started as <c>scripts/serve --cluster</c> starts them. Killing a node is kill -9.
/// </summary>
internal sealed class LocalCluster : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string directory = Directory.CreateTempSubdirectory("zerogym-cluster-").FullName;
    private readonly Process redis;
    private readonly List<Node> nodes = [];

    public LocalCluster()
    {
        int port = FreePort();
        RedisUrl = $"redis://127.0.0.1:{port}";
        redis = Start("redis-server", ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory]);
        var output = new StringBuilder();
        var ready = new TaskCompletionSource();
        redis.OutputDataReceived += (_, line) =>
        {
            lock (output) output.AppendLine(line.Data);
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true) ready.TrySetResult();
        };
        redis.BeginOutputReadLine();
        redis.BeginErrorReadLine();
        if (!ready.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            Dispose();
            throw new InvalidOperationException($"redis-server did not start (scripts/setup installs it); its output: {output}");
        }
    }

    /// <summary>The <c>--cluster</c> argument of every node.</summary>
    public string RedisUrl { get; }

    /// <summary>A node process: its name, its endpoint and what it wrote on stderr.</summary>
    public sealed record Node(string Name, string Endpoint, Process Process, StringBuilder Log, TimeSpan StartupTime);

    /// <summary>Starts nodes in parallel and returns them when every one listens (it has then joined the cluster).</summary>
    public IReadOnlyList<Node> StartNodes(params string[] names) => names.AsParallel().Select(name => StartNode(name)).ToList();

    /// <summary>Starts one node of this cluster with these extra options and returns it when it listens.</summary>
    public Node StartNode(string name, params string[] options) => StartServer(["--cluster", RedisUrl, "--node-name", name, .. options]);

    /// <summary>Starts an env server on a free loopback port with these extra options; a plain server without <c>--cluster</c>.</summary>
    public Node StartServer(IReadOnlyList<string> options)
    {
        string name = options.SkipWhile(option => option != "--node-name").Skip(1).FirstOrDefault() ?? "plain";
        string serverDll = Path.Combine(AppContext.BaseDirectory, "ZeroGym.EnvServer.dll");
        var clock = Stopwatch.StartNew();
        var process = Start("dotnet", [serverDll, "--bind", "tcp://127.0.0.1:*", .. options]);
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.BeginErrorReadLine();
        var listening = process.StandardOutput.ReadLineAsync();
        if (!listening.Wait(StartTimeout) || listening.Result is not { } line || !line.StartsWith("zerogym-server listening on ", StringComparison.Ordinal))
        {
            process.Kill();
            process.WaitForExit();
            string written;
            lock (log) written = log.ToString();
            throw new InvalidOperationException($"node {name} did not start within {StartTimeout.TotalSeconds} s; its log:\n{written}");
        }

        var node = new Node(name, line["zerogym-server listening on ".Length..], process, log, clock.Elapsed);
        // Keep stdout drained: nothing else is expected on it, but a full pipe would stall the server.
        _ = process.StandardOutput.ReadToEndAsync();
        lock (nodes) nodes.Add(node);
        return node;
    }

    /// <summary>kill -9: the node gets no chance to leave the cluster, as when its host dies.</summary>
    public static void Kill(Node node)
    {
        node.Process.Kill();
        node.Process.WaitForExit();
    }

    /// <summary>Sends the node's process a signal by name (<c>STOP</c>, <c>CONT</c>): a stopped node is silent yet its port accepts.</summary>
    public static void Signal(Node node, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", node.Process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -{signal} {node.Process.Id} ({node.Name}) failed with exit code {kill.ExitCode}");
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; returns how long that took, or throws.</summary>
    public static TimeSpan WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not within {timeout.TotalSeconds} s: {describe()}");
            Thread.Sleep(100);
        }

        return clock.Elapsed;
    }

    public void Dispose()
    {
        lock (nodes)
        {
            foreach (var node in nodes.Where(node => !node.Process.HasExited)) Kill(node);
            foreach (var node in nodes) node.Process.Dispose();
        }

        if (!redis.HasExited)
        {
            redis.Kill();
            redis.WaitForExit();
        }

        redis.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static Process Start(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
