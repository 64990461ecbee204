using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Dashboard;

namespace ZeroGym.Cluster.Dashboard;

/// <summary>
/// The web server of <c>--dashboard-port</c>: one host runs the node's silo and Kestrel, which serves Orleans' own
/// dashboard under <see cref="OrleansPath"/> and the ZeroGym page at <see cref="PagePath"/> (nodes, status, envs,
/// steps/s, clients), a static page that polls <see cref="ViewPath"/> once a second. Plain HTTP without login, read
/// only: it listens where the silo does (the advertised address when that is loopback, else every interface).
/// </summary>
/// <remarks>
/// Only this class names ASP.NET Core types, and <see cref="ClusterNode"/> calls it only when a dashboard is asked
/// for: a node without one never loads ASP.NET Core, and a single server not even this assembly.
/// </remarks>
internal static class ClusterDashboard
{
    /// <summary>The ZeroGym page.</summary>
    public const string PagePath = "/zerogym";

    /// <summary>The JSON the page polls: a <see cref="DashboardSnapshot"/>.</summary>
    public const string ViewPath = "/zerogym/view.json";

    /// <summary>Orleans' dashboard (silos, grains, calls, its own log stream).</summary>
    public const string OrleansPath = "/orleans";

    // The page's files, embedded from Page/ as dashboard/NAME (see the project file), with their content types.
    private static readonly Dictionary<string, string> PageFiles = new(StringComparer.Ordinal)
    {
        ["zerogym.html"] = "text/html; charset=utf-8",
        ["zerogym.css"] = "text/css; charset=utf-8",
        ["zerogym.js"] = "text/javascript; charset=utf-8",
    };

    // The names are written out in ToJson (snake_case, like the wire's `nodes` reply); no naming policy may change them.
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>
    /// A host whose Kestrel listens on <paramref name="port"/> (0: a free one) and serves the dashboard;
    /// <paramref name="configure"/> adds the silo. <paramref name="snapshot"/> is null until the node has joined.
    /// </summary>
    public static IHost BuildHost(HostApplicationBuilderSettings settings, Action<IHostApplicationBuilder> configure, IPAddress advertised, int port,
        Func<DashboardSnapshot?> snapshot)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = settings.ApplicationName });
        var address = IPAddress.IsLoopback(advertised) ? advertised
            : advertised.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, port));
        builder.Services.AddRoutingCore();
        configure(builder);
        var app = builder.Build();

        app.MapGet("/", () => Results.Redirect(PagePath));
        app.MapGet(PagePath, () => PageFile("zerogym.html"));
        app.MapGet(PagePath + "/{file}", (string file) => PageFiles.ContainsKey(file) ? PageFile(file) : Results.NotFound());
        app.MapGet(ViewPath, () => snapshot() is { } view
            ? Results.Json(ToJson(view), Json)
            : Results.Text("this node is still joining the cluster", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapOrleansDashboard(routePrefix: OrleansPath);
        return app;
    }

    /// <summary>The port Kestrel listens on (the one picked when 0 was asked for); call after the host started.</summary>
    public static int BoundPort(IHost host)
    {
        var addresses = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        string bound = addresses.FirstOrDefault() ?? throw new InvalidOperationException("the dashboard's web server listens on no address");
        return new Uri(bound).Port;
    }

    private static object ToJson(DashboardSnapshot view) => new
    {
        node = view.Node,
        time = view.Time,
        view_age_s = Math.Round(view.ViewAgeSeconds, 1),
        nodes = view.Nodes.Select(node => new
        {
            name = node.Name,
            endpoint = node.Endpoint,
            status = node.Status,
            envs = node.Envs,
            steps_per_s = Math.Round(node.StepsPerSecond, 1),
            clients = node.Clients,
            cores = node.Cores,
        }),
    };

    private static IResult PageFile(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"dashboard/{name}")
            ?? throw new InvalidOperationException($"the dashboard's page file {name} is not embedded in ZeroGym.Cluster");
        using var content = new MemoryStream();
        stream.CopyTo(content);
        return Results.Bytes(content.ToArray(), PageFiles[name]);
    }
}
