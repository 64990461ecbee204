using ZeroGym.EnvServer;

namespace ZeroGym.Tests.Cluster;

/// <summary>The command-line contract of a node (README, "Cluster"): the Redis URL and the endpoint it advertises.</summary>
public sealed class ClusterStartupTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6379", "127.0.0.1:6379")]
    [InlineData("redis://redis.internal:7000/", "redis.internal:7000")]
    public void RedisAddress_ReadsHostAndPort(string url, string expected) => Assert.Equal(expected, ClusterStartup.RedisAddress(url));

    [Theory]
    [InlineData("127.0.0.1:6379")]
    [InlineData("http://127.0.0.1:6379")]
    [InlineData("redis://127.0.0.1")]
    [InlineData("redis://127.0.0.1:6379/2")]
    public void RedisAddress_RefusesAnythingButRedisHostPort(string url) =>
        Assert.Contains("redis://HOST:PORT", Assert.Throws<ArgumentException>(() => ClusterStartup.RedisAddress(url)).Message);

    [Fact]
    public void TheAdvertisedEndpoint_IsTheFirstTcpBind_WithItsHostReplacedByAdvertise()
    {
        Assert.Equal(("tcp://127.0.0.1:5555", "127.0.0.1"), ClusterStartup.AdvertisedEndpoint(["ipc:///tmp/a.sock", "tcp://127.0.0.1:5555"], null));
        Assert.Equal(("tcp://sim-1.lan:5555", "sim-1.lan"), ClusterStartup.AdvertisedEndpoint(["tcp://0.0.0.0:5555"], "sim-1.lan"));
    }

    [Theory]
    [InlineData("tcp://0.0.0.0:5555")]
    [InlineData("tcp://*:5555")]
    public void AWildcardBind_WithoutAdvertise_IsRefusedWithTheOptionToUse(string bound) =>
        Assert.Contains("--advertise HOST", Assert.Throws<ArgumentException>(() => ClusterStartup.AdvertisedEndpoint([bound], null)).Message);

    [Theory]
    [InlineData("127.0.0.1", 8080, "http://127.0.0.1:8080/zerogym")]
    [InlineData("sim-1.lan", 80, "http://sim-1.lan:80/zerogym")]
    [InlineData("::1", 8080, "http://[::1]:8080/zerogym")]
    public void TheDashboardUrl_IsTheZeroGymPageOnTheAdvertisedHost(string host, int port, string expected) =>
        Assert.Equal(expected, ClusterStartup.DashboardUrl(host, port));

    [Fact]
    public void ANodeWithoutTcpEndpoint_IsRefused() =>
        Assert.Contains("tcp://", Assert.Throws<ArgumentException>(() => ClusterStartup.AdvertisedEndpoint(["ipc:///tmp/a.sock"], null)).Message);
}
