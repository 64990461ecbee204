using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ZeroGym;

/// <summary>
/// Whether a node still answers, asked while a reply from it is awaited (<see cref="ClientOptions.ServerAlive"/>): a
/// TCP connection to its endpoint. A killed process's port refuses at once and a host that is gone does not answer
/// within <see cref="ConnectTimeout"/>; a live server accepts even while its loop is busy (the kernel does). Two
/// failures in a row, at least <see cref="MinInterval"/> apart, make the node lost for good: under a second after it
/// went silent while a reply is awaited, well within the 2 s a spanning vector env promises.
/// </summary>
internal sealed class NodeProbe(string endpoint)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    private readonly Lock gate = new();
    private readonly Stopwatch sinceLastProbe = Stopwatch.StartNew();
    private int failures;

    /// <summary>The endpoint probed, <c>tcp://HOST:PORT</c>.</summary>
    public string Endpoint { get; } = endpoint;

    /// <summary>Whether the node was found lost (then it stays lost).</summary>
    public bool Lost { get; private set; }

    /// <summary>False once the node is lost; probes at most every <see cref="MinInterval"/>.</summary>
    public bool IsAlive()
    {
        lock (gate)
        {
            if (Lost) return false;
            if (sinceLastProbe.Elapsed < MinInterval) return true;
            sinceLastProbe.Restart();
            failures = Accepts() ? 0 : failures + 1;
            Lost = failures >= 2;
            return !Lost;
        }
    }

    /// <summary>Marks the node lost (its connection failed in a way that leaves no doubt).</summary>
    public void MarkLost()
    {
        lock (gate) Lost = true;
    }

    /// <summary>
    /// Connects without blocking and polls for the outcome on this thread: no thread-pool work is involved, so a client
    /// whose pool is busy (a learner's, a test host's) still sees a dead node at once.
    /// </summary>
    private bool Accepts()
    {
        if (!Uri.TryCreate(Endpoint.Replace("tcp://*", "tcp://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Scheme != "tcp") return true;
        try
        {
            // A name that resolves to nothing reaches no node.
            if ((IPAddress.TryParse(uri.Host, out var literal) ? literal : Dns.GetHostAddresses(uri.Host).FirstOrDefault()) is not { } address) return false;
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                socket.Connect(address, uri.Port);
                return true;
            }
            catch (SocketException pending) when (pending.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                // Writable once connected; an error once refused; neither while a gone host stays silent.
                bool settled = socket.Poll((int)ConnectTimeout.TotalMicroseconds, SelectMode.SelectWrite);
                return settled && !socket.Poll(0, SelectMode.SelectError) && socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is 0;
            }
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
