using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;
using StackExchange.Redis;
using ZeroGym.Cluster.Dashboard;
using ZeroGym.Cluster.Grains;

namespace ZeroGym.Cluster;

/// <summary>
/// This process as a node of the cluster: an Orleans silo whose membership lives in Redis, plus a loop that publishes
/// the node's report to the <see cref="IClusterViewGrain"/> once a second and keeps the reply as the local copy of the
/// view. Orleans does membership and failure detection; requests (<see cref="Nodes"/>) read the local copies only, and
/// steps never come near Orleans.
/// </summary>
/// <remarks>
/// Failure detection is tuned so a node killed with -9 is declared dead within about 10 s (Orleans' defaults take
/// 15 s to a minute): every node probes up to 3 others, a probe times out after <see cref="ProbeTimeout"/>, a node that
/// misses <see cref="MissedProbesLimit"/> probes in a row is suspected, and 2 suspecting nodes (or every other node of
/// a smaller cluster) declare it dead in the Redis table; the others learn it by gossip at once.
/// <para>
/// Every node carries the silo half of Orleans' dashboard (a grain service and a grain-call profiler, idle while no
/// one looks), so that the dashboard served by any node can show every node; only a node given
/// <see cref="ClusterNodeOptions.DashboardPort"/> starts a web server (<see cref="ClusterDashboard"/>).
/// </para>
/// </remarks>
public sealed class ClusterNode : ICluster, IAsyncDisposable
{
    /// <summary>The Orleans cluster and service id every ZeroGym node uses: one Redis holds one cluster.</summary>
    public const string ClusterId = "zerogym";

    /// <summary><see cref="ClusterMembershipOptions.ProbeTimeout"/> (Orleans' default: 5 s).</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary><see cref="ClusterMembershipOptions.NumMissedProbesLimit"/> (Orleans' default: 3).</summary>
    public const int MissedProbesLimit = 2;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(3);

    private readonly IHost host;
    private readonly ClusterNodeOptions options;
    private readonly Func<NodeLoad> load;
    private readonly ILogger logger;
    private readonly IClusterMembershipService membership;
    private readonly IClusterViewGrain view;
    private readonly string silo;
    private readonly CancellationTokenSource stopping = new();
    private ImmutableDictionary<string, NodeReport> reports = ImmutableDictionary<string, NodeReport>.Empty;
    private volatile NodeReport self;
    private Task publishing = Task.CompletedTask;
    private (long Steps, long Timestamp) lastCount;
    private long viewRefreshed = Stopwatch.GetTimestamp();
    private string? membersRaised;

    private ClusterNode(IHost host, ClusterNodeOptions options, Func<NodeLoad> load)
    {
        this.host = host;
        this.options = options;
        this.load = load;
        logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ZeroGym.Cluster");
        membership = host.Services.GetRequiredService<IClusterMembershipService>();
        view = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IClusterViewGrain>(0);
        silo = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        lastCount = (load().StepsTotal, Stopwatch.GetTimestamp());
        self = Report(load(), stepsPerSecond: 0);
    }

    /// <inheritdoc/>
    public string NodeName => options.NodeName;

    /// <summary>The port Orleans' silo-to-silo traffic uses.</summary>
    public int SiloPort { get; private set; }

    /// <summary>The port of Orleans' gateway.</summary>
    public int GatewayPort { get; private set; }

    /// <summary>The port the dashboard is served on, or null when this node serves none.</summary>
    public int? DashboardPort { get; private set; }

    /// <summary>
    /// Raised on the publishing loop's thread, which looks once a report interval, when the nodes <see cref="Nodes"/>
    /// lists or their statuses differ from when it was last raised (the first time: the view as it is then), so that a
    /// node's log shows every join and death it sees.
    /// </summary>
    public event Action<IReadOnlyList<NodeState>>? MembersChanged;

    /// <summary>
    /// How long ago this node last refreshed its copy of the cluster view: about a second while the cluster answers,
    /// growing while it does not (the figures of <see cref="Nodes"/> are then that old).
    /// </summary>
    public TimeSpan ViewAge => Stopwatch.GetElapsedTime(Volatile.Read(ref viewRefreshed));

    /// <summary>
    /// Starts the silo, joins the cluster kept in <see cref="ClusterNodeOptions.Redis"/> and publishes this node's first
    /// report, so that the node is in the view when this returns. Orleans logs warnings and errors on stderr only.
    /// </summary>
    /// <param name="load">Reads the env server's load; called from the publishing loop's thread, so it must be thread-safe.</param>
    public static async Task<ClusterNode> StartAsync(ClusterNodeOptions options, Func<NodeLoad> load, CancellationToken cancellation = default)
    {
        int siloPort = options.SiloPort == 0 ? FreePort(options.AdvertisedAddress) : options.SiloPort;
        int gatewayPort = options.GatewayPort == 0 ? FreePort(options.AdvertisedAddress) : options.GatewayPort;
        void Configure(IHostApplicationBuilder builder)
        {
            // Warnings and errors only, one line each, on stderr: stdout carries the server's "listening on" lines.
            builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            // The env server owns SIGINT and SIGTERM: it stops its loop, then this node (DisposeAsync) leaves the cluster.
            builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
            builder.UseOrleans(silo =>
            {
                silo.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis));
                silo.Configure<ClusterOptions>(cluster => (cluster.ClusterId, cluster.ServiceId) = (ClusterId, ClusterId));
                silo.Configure<SiloOptions>(siloOptions => siloOptions.SiloName = options.NodeName);
                silo.ConfigureEndpoints(options.AdvertisedAddress, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(options.AdvertisedAddress));
                silo.Configure<ClusterMembershipOptions>(liveness =>
                {
                    liveness.ProbeTimeout = ProbeTimeout;
                    liveness.NumMissedProbesLimit = MissedProbesLimit;
                });
                silo.AddDashboard();
            });
        }

        var settings = new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "zerogym-server" };
        ClusterNode? started = null;
        // The web server's code sits in ClusterDashboard alone, so a node without a dashboard never loads ASP.NET Core.
        var host = options.DashboardPort is int dashboardPort
            ? ClusterDashboard.BuildHost(settings, Configure, options.AdvertisedAddress, dashboardPort, () => started?.Snapshot())
            : BuildHost(settings, Configure);
        try
        {
            await host.StartAsync(cancellation);
            var node = new ClusterNode(host, options, load)
            {
                SiloPort = siloPort,
                GatewayPort = gatewayPort,
                DashboardPort = options.DashboardPort is null ? null : ClusterDashboard.BoundPort(host),
            };
            await node.PublishAsync();
            node.publishing = Task.Run(node.PublishLoopAsync);
            started = node;
            return node;
        }
        catch (IOException error) when (options.DashboardPort is int port)
        {
            // Kestrel's "Failed to bind to address …: address already in use", named by the option that asked for it.
            host.Dispose();
            throw new IOException($"--dashboard-port {port}: {error.Message}", error);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static IHost BuildHost(HostApplicationBuilderSettings settings, Action<IHostApplicationBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder(settings);
        configure(builder);
        return builder.Build();
    }

    /// <summary>
    /// Every node the membership knows that has published a report: <see cref="NodeStatus.Active"/> while Orleans
    /// counts it as a member, <see cref="NodeStatus.Dead"/> once it is declared dead or has shut down. A name that has
    /// an active node is listed once as that node (a node restarted under its name).
    /// </summary>
    public IReadOnlyList<NodeState> Nodes()
    {
        var known = reports;
        var nodes = new Dictionary<string, NodeState>(StringComparer.Ordinal);
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            string address = member.SiloAddress.ToParsableString();
            var report = address == silo ? self : known.GetValueOrDefault(address);
            string? status = member.Status switch
            {
                SiloStatus.Active => NodeStatus.Active,
                SiloStatus.ShuttingDown or SiloStatus.Stopping or SiloStatus.Dead => NodeStatus.Dead,
                _ => null, // still joining: listed once it is a member
            };
            if (report is null || status is null) continue;
            if (nodes.TryGetValue(report.Name, out var listed) && listed.IsActive) continue;
            bool active = status == NodeStatus.Active;
            nodes[report.Name] = new NodeState(report.Name, report.Endpoint, status, active ? report.Envs : 0, active ? report.StepsPerSecond : 0,
                report.Cores, report.EnvIds, report.MaxNumEnvs, active ? report.Clients : 0);
        }

        return nodes.Values.OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Stops publishing and leaves the cluster cleanly (the others see this node as dead at once). Bounded: when the
    /// membership cannot be updated (Redis gone) Orleans retries for a long time, so after <see cref="LeaveTimeout"/>
    /// the node gives up and the others find it dead by probing, as after a crash.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        await publishing.ConfigureAwait(false);
        var leaving = host.StopAsync(LeaveTimeout);
        if (await Task.WhenAny(leaving, Task.Delay(LeaveTimeout + TimeSpan.FromSeconds(2))).ConfigureAwait(false) != leaving)
        {
            logger.LogWarning("could not leave the cluster within {Seconds} s (is Redis reachable?); stopping without it", LeaveTimeout.TotalSeconds);
            return;
        }

        await leaving.ConfigureAwait(false);
        host.Dispose();
        stopping.Dispose();
    }

    /// <summary>How long leaving the cluster may take before the node stops without it.</summary>
    public static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(5);

    private async Task PublishLoopAsync()
    {
        using var timer = new PeriodicTimer(options.ReportInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false)) await PublishAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Leaving the cluster.
        }
    }

    private async Task PublishAsync()
    {
        // A death is the membership's to declare: logged at once, even when the view's grain was on the dead node and
        // this round's call waits for its new activation.
        RaiseIfMembersChanged();
        var current = load();
        long now = Stopwatch.GetTimestamp();
        double seconds = Stopwatch.GetElapsedTime(lastCount.Timestamp, now).TotalSeconds;
        double rate = seconds > 0 ? (current.StepsTotal - lastCount.Steps) / seconds : 0;
        lastCount = (current.StepsTotal, now);
        self = Report(current, rate);
        try
        {
            var latest = await view.Publish(self).WaitAsync(PublishTimeout, stopping.Token).ConfigureAwait(false);
            // Reports the grain no longer has (it was activated anew after its node died) stay as last known.
            reports = reports.SetItems(latest.Select(report => KeyValuePair.Create(report.Silo, report)));
            Volatile.Write(ref viewRefreshed, Stopwatch.GetTimestamp());
        }
        catch (Exception error) when (error is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // The view's grain was on a node that just died: the next round reaches its new activation.
            logger.LogWarning("cluster view not refreshed: {Error}; this node answers from its last copy", error.Message);
        }

        // A joining node is listed once its first report has come back with the view.
        RaiseIfMembersChanged();
    }

    private void RaiseIfMembersChanged()
    {
        if (MembersChanged is not { } handler) return;
        var nodes = Nodes();
        string members = string.Join('\n', nodes.Select(node => $"{node.Name}\t{node.Status}"));
        if (members == membersRaised) return;
        membersRaised = members;
        handler(nodes);
    }

    private NodeReport Report(NodeLoad current, double stepsPerSecond) => new()
    {
        Silo = silo,
        Name = options.NodeName,
        Endpoint = options.Endpoint,
        Envs = current.Envs,
        StepsPerSecond = stepsPerSecond,
        Cores = options.Cores,
        EnvIds = [.. options.EnvIds],
        MaxNumEnvs = options.MaxNumEnvs,
        Clients = current.Clients,
    };

    /// <summary>What the dashboard's ZeroGym page shows: every node, as this node sees the cluster now.</summary>
    internal DashboardSnapshot Snapshot() => new(NodeName, DateTimeOffset.UtcNow, ViewAge.TotalSeconds, Nodes());

    /// <summary>A port nobody listens on now (the OS picks it); Orleans binds it a moment later.</summary>
    private static int FreePort(IPAddress address)
    {
        using var probe = new TcpListener(IPAddress.IsLoopback(address) ? address : IPAddress.Any, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A host lifetime that leaves the process's signals to the env server.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
