namespace ZeroGym;

/// <summary>The server rejected a request; <see cref="Code"/> is one of SPEC.md §3.2's error codes.</summary>
public class ZeroGymException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>No reply came within the timeout. The message names the endpoint and what to check.</summary>
public sealed class ServerTimeoutException(string address, string op, TimeSpan timeout)
    : TimeoutException(
        $"no reply from the ZeroGym server at {address} within {timeout.TotalSeconds:0.###} s to '{op}'. " +
        "Check that the server is running (scripts/serve), that the address and port are right, " +
        "and that no firewall blocks the port; the client has reconnected and will retry on the next call")
{
    public string Address { get; } = address;
}
