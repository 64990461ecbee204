namespace ZeroGym;

/// <summary>The server rejected a request; <see cref="Code"/> is one of SPEC.md §3.2's error codes.</summary>
public class ZeroGymException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>No reply came within the timeout. The message names the endpoint and what to check.</summary>
/// <param name="reconnected">The client reopened its connection (every call but a <c>recv</c>); false: the request
/// stays pending and the next call waits for the same reply.</param>
public sealed class ServerTimeoutException(string address, string op, TimeSpan timeout, bool encrypted = false, bool reconnected = true)
    : TimeoutException(
        $"no reply from the ZeroGym server at {address} within {timeout.TotalSeconds:0.###} s to '{op}'. " +
        "Check that the server is running (scripts/serve), that the address and port are right, " +
        "and that no firewall blocks the port" +
        (encrypted
            ? "; with CURVE, also that the server key is the server's NAME.pub and that the server lists this client's public key in --authorized-keys"
            : "; a server started with --curve-secret-key answers only CURVE clients") +
        (reconnected
            ? "; the client has reconnected and will retry on the next call"
            : "; the request stays pending: the next call waits for the same reply"))
{
    public string Address { get; } = address;
}

/// <summary>The server's process ended while a reply was awaited (see <see cref="ClientOptions.ServerAlive"/>).</summary>
public sealed class ServerGoneException(string address, string op)
    : Exception($"the ZeroGym server at {address} stopped while '{op}' waited for its reply")
{
    public string Address { get; } = address;
}
