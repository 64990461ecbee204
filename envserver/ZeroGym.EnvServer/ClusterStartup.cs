using System.Net;
using System.Net.Sockets;
using ZeroGym.Cluster;

namespace ZeroGym.EnvServer;

/// <summary>What <c>scripts/serve --cluster</c> was given (README, "Cluster").</summary>
/// <param name="Redis">The <c>--cluster</c> URL, <c>redis://HOST:PORT</c>.</param>
/// <param name="NodeName"><c>--node-name</c>; null: the host name and the port.</param>
/// <param name="Advertise"><c>--advertise</c>; null: the host the server is bound to.</param>
/// <param name="SiloPort"><c>--silo-port</c>; 0 picks a free port.</param>
/// <param name="GatewayPort"><c>--gateway-port</c>; 0 picks a free port.</param>
/// <param name="DashboardPort"><c>--dashboard-port</c>; 0 picks a free port; null serves no dashboard.</param>
public sealed record ClusterArguments(string Redis, string? NodeName, string? Advertise, int SiloPort, int GatewayPort, int? DashboardPort = null);

/// <summary>
/// Joins a started server to its cluster. Kept apart from <c>Program.cs</c> so that a server started without
/// <c>--cluster</c> never compiles a method that names an Orleans type, and so never loads Orleans.
/// </summary>
public static class ClusterStartup
{
    private static readonly HashSet<string> WildcardHosts = ["*", "0.0.0.0", "::", "[::]"];

    /// <summary>
    /// Starts this process's node of the cluster kept in <see cref="ClusterArguments.Redis"/> and makes
    /// <paramref name="server"/> answer for it; disposing the result leaves the cluster.
    /// </summary>
    /// <exception cref="ArgumentException">An option that cannot work, saying which and why.</exception>
    public static async Task<IAsyncDisposable> JoinAsync(EnvServer server, ClusterArguments arguments, IReadOnlyList<string> envIds, int maxNumEnvs, ServerLog log)
    {
        string redis = RedisAddress(arguments.Redis);
        var (endpoint, host) = AdvertisedEndpoint(server.Endpoints, arguments.Advertise);
        var node = await ClusterNode.StartAsync(new ClusterNodeOptions
        {
            Redis = redis,
            NodeName = arguments.NodeName ?? $"{Dns.GetHostName()}:{new Uri(endpoint).Port}",
            Endpoint = endpoint,
            AdvertisedAddress = Resolve(host),
            SiloPort = arguments.SiloPort,
            GatewayPort = arguments.GatewayPort,
            DashboardPort = arguments.DashboardPort,
            EnvIds = envIds,
            MaxNumEnvs = maxNumEnvs,
        }, () => server.Load);
        server.JoinCluster(node);
        log.Info("cluster_joined", ("node", node.NodeName), ("endpoint", endpoint), ("redis", redis), ("silo_port", node.SiloPort), ("gateway_port", node.GatewayPort));
        if (node.DashboardPort is int dashboardPort) log.Info("dashboard_listening", ("url", DashboardUrl(host, dashboardPort)));
        node.MembersChanged += nodes => log.Info("cluster_view", ("active", nodes.Count(other => other.IsActive)), ("dead", nodes.Count(other => !other.IsActive)),
            ("nodes", string.Join(',', nodes.Select(other => other.IsActive ? other.Name : $"{other.Name}:dead"))));
        return node;
    }

    /// <summary>Where a browser finds the dashboard's ZeroGym page of a node advertised as <paramref name="host"/>.</summary>
    public static string DashboardUrl(string host, int port) => $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}/zerogym";

    /// <summary><c>redis://HOST:PORT</c> as StackExchange.Redis reads it, <c>HOST:PORT</c>.</summary>
    public static string RedisAddress(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0 || uri.IsDefaultPort || uri.AbsolutePath is not ("" or "/"))
        {
            throw new ArgumentException($"--cluster must be redis://HOST:PORT (the Redis that keeps the cluster's membership); got '{url}'");
        }

        return $"{uri.Host}:{uri.Port}";
    }

    /// <summary>
    /// The ZeroMQ endpoint other machines reach this node at: the first <c>tcp://</c> endpoint bound, its host replaced
    /// by <paramref name="advertise"/> when given. A wildcard bind needs <paramref name="advertise"/>: no one can
    /// connect to "every interface".
    /// </summary>
    public static (string Endpoint, string Host) AdvertisedEndpoint(IReadOnlyList<string> bound, string? advertise)
    {
        string tcp = bound.FirstOrDefault(endpoint => endpoint.StartsWith("tcp://", StringComparison.Ordinal))
            ?? throw new ArgumentException($"a cluster node needs a tcp:// endpoint that other nodes' clients can reach; it is bound to {string.Join(", ", bound)} only");
        int colon = tcp.LastIndexOf(':');
        string boundHost = tcp["tcp://".Length..colon];
        string port = tcp[(colon + 1)..];
        if (advertise is null && WildcardHosts.Contains(boundHost))
        {
            throw new ArgumentException($"{tcp} listens on every interface, so it names no address others can reach: give --advertise HOST (the host name or address other machines reach this node at)");
        }

        string host = advertise ?? boundHost;
        return ($"tcp://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{port}", host.Trim('[', ']'));
    }

    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(found => found.AddressFamily == AddressFamily.InterNetwork) ?? addresses.First();
        }
        catch (Exception error) when (error is SocketException or InvalidOperationException)
        {
            throw new ArgumentException($"--advertise {host}: cannot resolve it to an address ({error.Message})", error);
        }
    }
}
