namespace ZeroGym.EnvServer;

/// <summary>Which endpoints may serve plain text: only those no other machine can reach, unless the user insists.</summary>
public static class EndpointPolicy
{
    /// <summary>True for ipc/inproc and for tcp on a loopback address (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsLocal(string endpoint)
    {
        if (endpoint.StartsWith("ipc://", StringComparison.Ordinal) || endpoint.StartsWith("inproc://", StringComparison.Ordinal)) return true;
        if (!endpoint.StartsWith("tcp://", StringComparison.Ordinal)) return false;
        string hostAndPort = endpoint["tcp://".Length..];
        int colon = hostAndPort.LastIndexOf(':');
        string host = (colon < 0 ? hostAndPort : hostAndPort[..colon]).Trim('[', ']');
        return host is "localhost" or "::1" || (host.StartsWith("127.", StringComparison.Ordinal) && System.Net.IPAddress.TryParse(host, out _));
    }

    /// <summary>Throws unless every endpoint is local, the server encrypts, or plain text was explicitly allowed.</summary>
    /// <exception cref="ArgumentException">A reachable endpoint without CURVE or <c>--insecure</c>.</exception>
    public static void CheckPlainTextAllowed(ServerOptions options)
    {
        if (options.Curve is not null || options.AllowInsecureRemote) return;
        var exposed = options.Endpoints.Where(endpoint => !IsLocal(endpoint)).ToList();
        if (exposed.Count == 0) return;
        throw new ArgumentException(
            $"refusing to serve plain text on {string.Join(", ", exposed)}: anyone who can reach it could drive and read " +
            "your envs. Give --curve-secret-key and --authorized-keys (make keys with scripts/keygen), bind a loopback " +
            "or ipc:// endpoint, or pass --insecure to serve plain text anyway.");
    }
}
