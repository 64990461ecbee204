using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace ZeroGym.Tests.Cluster;

/// <summary>
/// The dashboard of <c>--dashboard-port</c> in a real headless browser (Playwright for .NET driving Debian's chromium,
/// which scripts/setup installs): the ZeroGym page of a 3-node cluster, Orleans' own dashboard beside it, and the
/// command-line contract of the option.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class DashboardTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    // Nodes report once a second and a killed node is declared dead within 15 s (NodeLossTests); the page polls each second.
    private const float ViewTimeoutMs = 15_000;

    [Fact]
    public async Task ThePage_ShowsEveryNodeWithItsWork_AKilledNodeDead_AndSaysStaleWhenItsNodeStops()
    {
        using var cluster = new LocalCluster();
        // The dashboard's node first, so the others' views are not needed for it to serve.
        var dashboardNode = cluster.StartNode("node-a", "--dashboard-port", "0");
        var others = cluster.StartNodes("node-b", "node-c").OrderBy(node => node.Name, StringComparer.Ordinal).ToList();
        string url = DashboardUrl(dashboardNode);
        output.WriteLine($"dashboard at {url}");
        Assert.Contains("Microsoft.AspNetCore.Server.Kestrel", ClusterTests.MappedFiles(dashboardNode.Process.Id));

        // Some work on node-b, so its row has envs and a client to show.
        using var client = new ZeroGymClient(others[0].Endpoint);
        using var env = client.MakeVec("CartPole-v1", 4);
        env.Reset(seed: 1);

        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/setup installs Debian's chromium, which this test drives");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(url);

        var rows = page.Locator("#nodes tbody tr");
        var status = page.Locator("#nodes tbody tr .status");
        await Expect(rows).ToHaveCountAsync(3, new() { Timeout = ViewTimeoutMs });
        await Expect(status).ToHaveTextAsync(["active", "active", "active"], new() { Timeout = ViewTimeoutMs });
        await Expect(page.Locator("#nodes tbody tr .name")).ToHaveTextAsync(["node-a", "node-b", "node-c"]);
        await Expect(page.Locator("#nodes tbody tr .endpoint")).ToHaveTextAsync([.. new[] { dashboardNode }.Concat(others).Select(node => node.Endpoint)]);
        var nodeB = page.Locator("tr[data-node='node-b']");
        await Expect(nodeB.Locator(".envs")).ToHaveTextAsync("4", new() { Timeout = ViewTimeoutMs });
        await Expect(nodeB.Locator(".clients")).ToHaveTextAsync("1");
        await Expect(page.Locator("#freshness")).ToHaveTextAsync(LiveText());
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-stale", "false");
        output.WriteLine($"three nodes shown active, node-b with its 4 envs and 1 client: {clock.ElapsedMilliseconds} ms after loading the page");

        // Orleans' own dashboard, linked from the page: its overview counts the silos, its silo list names them.
        await page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" }).ClickAsync();
        await Expect(page).ToHaveTitleAsync("Orleans Dashboard");
        await Expect(page.Locator(".info-box", new() { HasText = "Active Silos" }).Locator(".info-box-number")).ToHaveTextAsync("3", new() { Timeout = ViewTimeoutMs });
        await page.GotoAsync(url.Replace("/zerogym", "/orleans/#/silos", StringComparison.Ordinal));
        foreach (string name in new[] { "node-a", "node-b", "node-c" }) await Expect(page.GetByText(name).First).ToBeVisibleAsync();
        await page.GotoAsync(url);
        await Expect(rows).ToHaveCountAsync(3, new() { Timeout = ViewTimeoutMs });

        clock.Restart();
        LocalCluster.Kill(others[1]);
        await Expect(page.Locator("tr[data-node='node-c'] .status")).ToHaveTextAsync("dead", new() { Timeout = 20_000 });
        output.WriteLine($"kill -9 of node-c to 'dead' on the page: {clock.ElapsedMilliseconds} ms");
        await Expect(status).ToHaveTextAsync(["active", "active", "dead"]);

        // The page's own node gone: the last figures stay, marked stale.
        clock.Restart();
        LocalCluster.Kill(dashboardNode);
        await Expect(page.Locator("#freshness")).ToHaveTextAsync(StaleText(), new() { Timeout = 10_000 });
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-stale", "true");
        await Expect(rows).ToHaveCountAsync(3);
        output.WriteLine($"node-a killed to the page saying stale: {clock.ElapsedMilliseconds} ms; it says: {await page.Locator("#freshness").TextContentAsync()}");
    }

    [Fact]
    public void DashboardPort_WithoutCluster_IsAClearError()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "ZeroGym.EnvServer.dll"), "--bind", "tcp://127.0.0.1:*", "--dashboard-port", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        using var server = Process.Start(start)!;
        string error = server.StandardError.ReadToEnd();
        Assert.True(server.WaitForExit(30_000));

        Assert.Equal(2, server.ExitCode);
        Assert.Contains("--dashboard-port", error);
        Assert.Contains("--cluster redis://HOST:PORT", error);
        Assert.Equal("", server.StandardOutput.ReadToEnd()); // it never listened
    }

    /// <summary>The page's address, as the node logs it once its web server listens.</summary>
    private static string DashboardUrl(LocalCluster.Node node)
    {
        string? url = null;
        LocalCluster.WaitUntil(() =>
        {
            string log;
            lock (node.Log) log = node.Log.ToString();
            url = DashboardLine().Match(log) is { Success: true } found ? found.Groups["url"].Value : null;
            return url is not null;
        }, TimeSpan.FromSeconds(10), () => $"{node.Name} logged no dashboard_listening line; its log:\n{node.Log}");
        return url!;
    }

    [GeneratedRegex(@"event=dashboard_listening url=(?<url>http://\S+/zerogym)")]
    private static partial Regex DashboardLine();

    [GeneratedRegex("^Live: updated .* by node-a")]
    private static partial Regex LiveText();

    [GeneratedRegex("^Stale: no answer from node-a for \\d+ s")]
    private static partial Regex StaleText();
}
