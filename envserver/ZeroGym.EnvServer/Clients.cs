using ZeroGym.Envs.Core;

namespace ZeroGym.EnvServer;

/// <summary>
/// Who holds which env (SPEC.md §4): the clients seen, their handles, the per-client limit, closing envs of silent
/// clients, and what happens to an env that fails (it is closed, every other env goes on). Not thread-safe: used
/// from the server's one loop, like <see cref="RequestHandler"/>.
/// </summary>
internal sealed class Clients(ServerOptions options, ServerLog log, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, ClientSession> clients = new(StringComparer.Ordinal);
    private long nextHandle = 1;

    /// <summary>Every client currently known (one with no envs is forgotten when idle).</summary>
    public int Count => clients.Count;

    /// <summary>The envs open over all clients.</summary>
    public int OpenEnvCount => clients.Values.Sum(client => client.Envs.Count);

    /// <summary>The sub-envs open over all clients: a single env counts one, a vector env its number of sub-envs.</summary>
    public long OpenSubEnvCount => clients.Values.Sum(client => client.Envs.Values.Sum(session => (long)(session.Vector?.NumEnvs ?? 1)));

    /// <summary>The client behind a connection, seen now (which restarts its idle timeout).</summary>
    public ClientSession Touch(string clientId)
    {
        var now = time.GetUtcNow();
        if (!clients.TryGetValue(clientId, out var client))
        {
            client = new ClientSession(clientId, now);
            clients.Add(clientId, client);
        }

        client.LastSeen = now;
        return client;
    }

    /// <summary>
    /// Forgets one session a client left behind on ZeroMQ when it moved to the local stream (SPEC.md §1.1), so clients
    /// are counted once. Which one does not matter: such a session holds nothing, and a client that stays on ZeroMQ
    /// after all gets a new one with its next request.
    /// </summary>
    public void ForgetOneLeftForLocalStream()
    {
        foreach (var client in clients.Values)
        {
            if (client.MayMoveToLocalStream && client.Envs.Count == 0 && client.HeldReplies.Count == 0)
            {
                clients.Remove(client.Id);
                return;
            }
        }
    }

    /// <summary>The envs whose calls run off the loop thread now (<see cref="ClientSession.CallInFlight"/>).</summary>
    public IEnumerable<EnvSession> SessionsWithCallsInFlight => clients.Values.Select(client => client.CallInFlight?.Session).OfType<EnvSession>();

    /// <summary>Whether the client is still known (it is forgotten after its idle timeout).</summary>
    public bool IsKnown(ClientSession client) => clients.TryGetValue(client.Id, out var known) && known == client;

    /// <summary>Whether the client still holds <paramref name="session"/> (not closed since).</summary>
    public bool Owns(ClientSession client, EnvSession session) =>
        IsKnown(client) && client.Envs.TryGetValue(session.Handle, out var held) && held == session;

    /// <summary>The client's env <paramref name="handle"/>; <c>unknown_handle</c> when it holds none by that number.</summary>
    public EnvSession Find(ClientSession client, long handle) =>
        client.Envs.TryGetValue(handle, out var session)
            ? session
            : throw new RequestError(ErrorCodes.UnknownHandle,
                $"this client has no env {handle}: it was never made, was closed, was closed after {options.IdleTimeout.TotalSeconds:0} s without requests, or the server restarted; make it again");

    /// <summary>Throws <c>limit_exceeded</c> when the client already holds as many envs as it may.</summary>
    public void EnsureRoomForAnother(ClientSession client)
    {
        if (client.Envs.Count >= options.MaxEnvsPerClient)
        {
            throw new RequestError(ErrorCodes.LimitExceeded,
                $"this client already holds {client.Envs.Count} envs, the server's limit (--max-envs-per-client); close some first");
        }
    }

    /// <summary>Makes an env under the next handle and gives it to the client; the handle is used up only when making succeeds.</summary>
    public EnvSession Add(ClientSession client, Func<long, EnvSession> make)
    {
        var session = make(nextHandle);
        nextHandle++;
        client.Envs.Add(session.Handle, session);
        return session;
    }

    /// <summary>Takes the next handle for an env made elsewhere (off the loop thread), used up even if making it fails.</summary>
    public long ReserveHandle() => nextHandle++;

    /// <summary>Gives the client an env made under a handle <see cref="ReserveHandle"/> gave.</summary>
    public void Adopt(ClientSession client, EnvSession session) => client.Envs.Add(session.Handle, session);

    /// <summary>Removes the env from its client and closes it.</summary>
    public void Close(ClientSession client, EnvSession session, string reason)
    {
        client.Envs.Remove(session.Handle);
        Dispose(client, session, reason);
    }

    /// <summary>
    /// Runs a call into an env. An env that throws has failed (<c>env_failure</c>): it is closed and the client told
    /// why; with <paramref name="argumentErrors"/>, an <see cref="ArgumentException"/> is the request's fault
    /// (<c>invalid_argument</c>) instead. An env in a worker process that answers with an error about the request is
    /// passed on with the worker's own code and message; the worker's <c>env_failure</c> likewise, closing the env here too.
    /// </summary>
    /// <param name="session">The env called, or null while it is being made.</param>
    /// <param name="op">The request's op, for the log and the message.</param>
    /// <param name="requestId">The request's id, for the log.</param>
    public T Run<T>(ClientSession client, EnvSession? session, string op, ulong? requestId, Func<T> call, bool argumentErrors = false)
    {
        try
        {
            return call();
        }
        catch (RequestError)
        {
            throw;
        }
        catch (ArgumentException error) when (argumentErrors)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, error.Message, error);
        }
        catch (ZeroGymException worker) when (ForwardedCodes.Contains(worker.Code))
        {
            throw new RequestError(worker.Code, worker.Message, worker);
        }
        catch (Exception failure)
        {
            Fail(client, session, op, requestId, failure);
            if (failure is ZeroGymException { Code: ErrorCodes.EnvFailure } worker) throw new RequestError(worker.Code, worker.Message, worker);
            throw new RequestError(ErrorCodes.EnvFailure,
                $"the env failed during '{op}' ({failure.GetType().Name}: {failure.Message})" + (session is null ? "" : $"; env {session.Handle} is closed"), failure);
        }
    }

    /// <summary>
    /// What one sub-env's exception during an asynchronous step or reset (SPEC.md §3.4) means for it: an error about
    /// the request (as <see cref="Run{T}"/> reads them; the sub-env goes on), or a failure that loses the sub-env until
    /// a reset makes it anew. Failures are logged as <see cref="Run{T}"/>'s are; nothing else of the vector env changes.
    /// </summary>
    public (string Code, string Message, bool Lost) SubEnvFailed(ClientSession client, EnvSession session, int envId, Exception failure)
    {
        switch (failure)
        {
            case ArgumentException argument:
                return (ErrorCodes.InvalidArgument, $"sub-env {envId}: {argument.Message}", true);
            case ZeroGymException worker when ForwardedCodes.Contains(worker.Code):
                return (worker.Code, $"sub-env {envId}: {worker.Message}", false);
        }

        log.Error("env_failure", ("client", client.Id), ("handle", session.Handle), ("sub_env", envId), ("exception", failure.ToString()));
        string what = failure is ZeroGymException { Code: ErrorCodes.EnvFailure } ? failure.Message : $"{failure.GetType().Name}: {failure.Message}";
        return (ErrorCodes.EnvFailure, $"sub-env {envId} of env {session.Handle} failed ({what}); it takes no action until a reset makes it anew", true);
    }

    /// <summary>
    /// Errors a worker process answers about the request itself, passed on as they are. Any other code from a worker
    /// (it lost the env, it could not read us) means the worker went wrong: an env failure here.
    /// </summary>
    private static readonly HashSet<string> ForwardedCodes =
        [ErrorCodes.InvalidArgument, ErrorCodes.InvalidAction, ErrorCodes.ResetNeeded, ErrorCodes.NotRendering];

    /// <summary>
    /// Closes the envs of clients silent for longer than the idle timeout, and forgets those clients; not those waiting
    /// for a reply of the server (a call left to run, a <c>recv</c>'s batch): they are silent because of the server.
    /// </summary>
    public void CloseIdle()
    {
        var now = time.GetUtcNow();
        foreach (var client in clients.Values.Where(c => !c.WaitsForTheServer && now - c.LastSeen > options.IdleTimeout).ToList())
        {
            foreach (var session in client.Envs.Values) Dispose(client, session, "idle");
            client.Envs.Clear();
            clients.Remove(client.Id);
        }
    }

    /// <summary>Closes every env (server shutdown).</summary>
    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            foreach (var session in client.Envs.Values) Dispose(client, session, "shutdown");
            client.Envs.Clear();
        }

        clients.Clear();
    }

    private void Fail(ClientSession client, EnvSession? session, string op, ulong? requestId, Exception failure)
    {
        log.Error("env_failure", ("client", client.Id), ("handle", session?.Handle), ("op", op), ("request", requestId), ("exception", failure.ToString()));
        if (session is not null && client.Envs.ContainsKey(session.Handle)) Close(client, session, "failure");
    }

    private void Dispose(ClientSession client, EnvSession session, string reason)
    {
        try
        {
            session.Dispose();
        }
        catch (Exception error)
        {
            log.Error("env_close_failed", ("client", client.Id), ("handle", session.Handle), ("exception", error.ToString()));
        }

        log.Info("env_closed", ("client", client.Id), ("handle", session.Handle), ("env", session.Spec.Id), ("reason", reason));
    }
}
