using System.Net;
using System.Net.Sockets;

namespace ZeroGym.Tests.Client;

/// <summary>The liveness probe of a spanning vector env's nodes: a listening node is alive, a closed port is lost after two refusals.</summary>
public sealed class NodeProbeTests
{
    [Fact]
    public void ANodeThatAccepts_StaysAlive_EvenWhenNobodyAcceptsTheConnection()
    {
        // A server whose loop is busy accepts nothing itself: the kernel's backlog does.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var probe = new NodeProbe($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

        for (int k = 0; k < 3; k++) Assert.True(AskAfterTheMinimumInterval(probe));

        Assert.False(probe.Lost);
    }

    [Fact]
    public void AClosedPort_IsLostAtTheSecondRefusal_AndStaysLost()
    {
        int port = ClosedPort();
        var probe = new NodeProbe($"tcp://127.0.0.1:{port}");

        Assert.True(AskAfterTheMinimumInterval(probe)); // one refusal is not yet a loss
        Assert.False(AskAfterTheMinimumInterval(probe));
        Assert.True(probe.Lost);

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.False(probe.IsAlive()); // a node found lost is not trusted again
    }

    [Fact]
    public void AWildcardEndpoint_IsProbedOnLoopback()
    {
        int port = ClosedPort();
        var probe = new NodeProbe($"tcp://*:{port}");

        AskAfterTheMinimumInterval(probe);

        Assert.False(AskAfterTheMinimumInterval(probe));
    }

    // The probe answers from its last probe when asked again within 200 ms.
    private static bool AskAfterTheMinimumInterval(NodeProbe probe)
    {
        Thread.Sleep(250);
        return probe.IsAlive();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
