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

/// <summary>
/// A node that ran some sub-envs of a vector env stopped answering (killed, host gone), with
/// <see cref="NodeLossPolicy.Raise"/>: thrown by the call that noticed it, at most about 2 s after the node went silent.
/// The other sub-envs keep their state; <c>Reset</c> or <c>AsyncReset</c> makes the lost ones anew on live nodes.
/// </summary>
public sealed class NodeLostException(string node, IReadOnlyList<int> envIds, VectorStepResult? result = null)
    : ZeroGymException("node_lost",
        $"the node at {node} stopped answering; it ran sub-envs [{string.Join(", ", envIds)}], which are lost (the others keep their state); " +
        "Reset or AsyncReset makes them anew on live nodes")
{
    /// <summary>The endpoint of the node lost.</summary>
    public string Node { get; } = node;

    /// <summary>The sub-envs it ran (indices of the vector env), sorted.</summary>
    public IReadOnlyList<int> EnvIds { get; } = envIds;

    /// <summary>
    /// For a synchronous step: every sub-env's result, the others stepped and the lost ones at their last observation,
    /// truncated, with info <c>node_lost</c> true. Null for the other calls (their results stay to be received).
    /// </summary>
    public VectorStepResult? Result { get; } = result;
}
