using System.Buffers;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Vector;
using ZeroGym.Arrays;
using ZeroGym.Protocol.MessagePack;
using ZeroGym.Spaces;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.EnvServer;

/// <summary>
/// Executes requests (SPEC.md §3) for many clients, each owning its envs, and writes exactly one reply per
/// request. It knows nothing of sockets, so tests and the fuzzer drive it directly. Not thread-safe: the
/// server's loop calls it from one thread.
/// </summary>
public sealed class RequestHandler : IDisposable
{
    private static readonly string OpList = string.Join(", ", Ops.Hello, Ops.Ping, Ops.List, Ops.Make, Ops.Reset, Ops.Step, Ops.Render, Ops.Close);

    private readonly EnvRegistry registry;
    private readonly ServerOptions options;
    private readonly ServerLog log;
    private readonly TimeProvider time;
    private readonly Dictionary<string, ClientSession> clients = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> replyBuffer = new(4096);
    private readonly MessagePackWriter reply;
    private long nextHandle = 1;

    public RequestHandler(EnvRegistry registry, ServerOptions options, ServerLog log, TimeProvider? time = null)
    {
        this.registry = registry;
        this.options = options;
        this.log = log;
        this.time = time ?? TimeProvider.System;
        reply = new MessagePackWriter(replyBuffer);
    }

    /// <summary>Handles every client currently known (one with no envs is forgotten when idle).</summary>
    public int ClientCount => clients.Count;

    public int OpenEnvCount => clients.Values.Sum(client => client.Envs.Count);

    /// <summary>
    /// Handles one request from <paramref name="clientId"/> and returns the reply payload, valid until the next
    /// call. Never throws for anything the request contains.
    /// </summary>
    public ReadOnlyMemory<byte> Handle(string clientId, ReadOnlySpan<byte> payload)
    {
        var client = Touch(clientId);
        var request = new Request();
        replyBuffer.ResetWrittenCount();
        try
        {
            if (payload.Length > options.MaxMessageBytes)
            {
                TryParse(payload, request);
                throw new RequestError(ErrorCodes.TooLarge, $"the request has {payload.Length} bytes; this server accepts at most {options.MaxMessageBytes}");
            }

            Request.Parse(payload, request);
            Dispatch(client, request);
        }
        catch (RequestError error)
        {
            WriteError(client, request, error.Code, error.Message);
        }
        catch (Exception bug)
        {
            log.Error("internal_error", ("client", client.Id), ("op", request.Op), ("request", request.Id), ("exception", bug.ToString()));
            WriteError(client, request, ErrorCodes.Internal, $"the server failed unexpectedly ({bug.GetType().Name}: {bug.Message}); please report it with the server's log");
        }

        return replyBuffer.WrittenMemory;
    }

    /// <summary>Answers a request that could not be read at all (no id) with an error, for the transport's own checks.</summary>
    public ReadOnlyMemory<byte> Reject(string clientId, string code, string message)
    {
        replyBuffer.ResetWrittenCount();
        WriteError(Touch(clientId), new Request(), code, message);
        return replyBuffer.WrittenMemory;
    }

    /// <summary>Closes the envs of clients silent for longer than the idle timeout.</summary>
    public void CloseIdleClients()
    {
        var now = time.GetUtcNow();
        foreach (var client in clients.Values.Where(c => now - c.LastSeen > options.IdleTimeout).ToList())
        {
            foreach (var session in client.Envs.Values) Close(client, session, "idle");
            client.Envs.Clear();
            clients.Remove(client.Id);
        }
    }

    /// <summary>Closes every env (server shutdown).</summary>
    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            foreach (var session in client.Envs.Values) Close(client, session, "shutdown");
            client.Envs.Clear();
        }

        clients.Clear();
    }

    private ClientSession Touch(string clientId)
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

    private void Dispatch(ClientSession client, Request request)
    {
        switch (request.Op)
        {
            case Ops.Hello: Hello(client, request); break;
            case Ops.Ping: Ping(request); break;
            case Ops.List: List(request); break;
            case Ops.Make: Make(client, request); break;
            case Ops.Reset: Reset(client, request); break;
            case Ops.Step: Step(client, request); break;
            case Ops.Render: Render(client, request); break;
            case Ops.Close: CloseHandle(client, request); break;
            default: throw new RequestError(ErrorCodes.UnknownOp, $"unknown op '{request.Op}'; expected one of {OpList}");
        }
    }

    private void Hello(ClientSession client, Request request)
    {
        long version = request.ProtocolVersion ?? throw new RequestError(ErrorCodes.Malformed, "'hello' needs 'protocol' (the client's protocol version)");
        if (!ProtocolConstants.IsCompatible(version))
        {
            throw new RequestError(ErrorCodes.VersionMismatch,
                $"this server speaks protocol {ProtocolConstants.Version}; the client speaks {version}. Use a client and server of the same protocol version");
        }

        client.Name = request.Client;
        log.Info("hello", ("client", client.Id), ("name", request.Client));
        BeginReply(request, 6);
        reply.Write("protocol"); reply.Write(ProtocolConstants.Version);
        reply.Write("server"); reply.Write(ProtocolConstants.ServerName);
        reply.Write("version"); reply.Write(ServerVersion);
        reply.Write("capabilities"); WriteStrings(ProtocolConstants.Capabilities);
        reply.Write("max_message_bytes"); reply.Write(options.MaxMessageBytes);
        reply.Write("idle_timeout"); reply.Write(options.IdleTimeout.TotalSeconds);
    }

    private void Ping(Request request)
    {
        BeginReply(request, 1);
        reply.Write("time"); reply.Write(time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
    }

    private void List(Request request)
    {
        var specs = registry.Specs.OrderBy(spec => spec.Id, StringComparer.Ordinal).ToList();
        BeginReply(request, 1);
        reply.Write("envs");
        reply.WriteArrayHeader(specs.Count);
        foreach (var spec in specs) WriteSpec(spec, spec.Kwargs, spec.MaxEpisodeSteps, withDescription: true);
    }

    private void Make(ClientSession client, Request request)
    {
        string envId = request.EnvId ?? throw new RequestError(ErrorCodes.Malformed, "'make' needs 'env' (an env id such as 'CartPole-v1')");
        if (!registry.TryGet(envId, out var spec))
        {
            throw new RequestError(ErrorCodes.UnknownEnv,
                $"no env '{envId}'; this server has {string.Join(", ", registry.Specs.Select(s => s.Id).Order(StringComparer.Ordinal))}");
        }

        if (request.NumEnvs is long numEnvs && (numEnvs < 1 || numEnvs > options.MaxNumEnvs))
        {
            throw new RequestError(ErrorCodes.InvalidArgument, $"num_envs must be between 1 and {options.MaxNumEnvs}; got {numEnvs}");
        }

        if (client.Envs.Count >= options.MaxEnvsPerClient)
        {
            throw new RequestError(ErrorCodes.LimitExceeded,
                $"this client already holds {client.Envs.Count} envs, the server's limit (--max-envs-per-client); close some first");
        }

        var kwargsTree = request.Kwargs is null ? null : ReadMap(request.Kwargs, "kwargs", ErrorCodes.Malformed);
        EnvSession session;
        try
        {
            var kwargs = EnvKwargs.Parse(spec, kwargsTree);
            session = EnvSession.Create(nextHandle, spec, kwargs, request.RenderMode, (int?)request.NumEnvs, options);
        }
        catch (ArgumentException error)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, error.Message, error);
        }
        catch (Exception failure)
        {
            throw EnvFailure(client, null, request, failure);
        }

        nextHandle++;
        client.Envs.Add(session.Handle, session);
        log.Info("env_made", ("client", client.Id), ("handle", session.Handle), ("env", envId), ("num_envs", request.NumEnvs), ("render_mode", request.RenderMode),
            ("worker_pids", session.WorkerProcessIds.Count == 0 ? null : string.Join(",", session.WorkerProcessIds)));

        bool vector = session.Vector is not null;
        BeginReply(request, vector ? 8 : 7);
        reply.Write("handle"); reply.Write(session.Handle);
        reply.Write("env"); reply.Write(envId);
        if (vector)
        {
            reply.Write("num_envs"); reply.Write(session.Vector!.NumEnvs);
        }

        reply.Write("observation_space"); WireFormat.WriteSpace(reply, session.ObservationSpace);
        reply.Write("action_space"); WireFormat.WriteSpace(reply, session.ActionSpace);
        reply.Write("spec"); WriteSpec(spec, KwargsWithoutTimeLimit(session.Kwargs), session.Kwargs.MaxEpisodeSteps, withDescription: false);
        reply.Write("render_mode"); reply.Write(session.RenderMode);
        reply.Write("metadata");
        reply.WriteMapHeader(2);
        reply.Write("render_modes"); WriteStrings(spec.RenderModes);
        reply.Write("render_fps"); reply.Write(spec.RenderFps);
    }

    private void Reset(ClientSession client, Request request)
    {
        var session = Find(client, request);
        var resetOptions = request.Options is null ? null : ReadMap(request.Options, "options", ErrorCodes.InvalidArgument);
        try
        {
            if (session.Single is { } env)
            {
                var result = env.Reset(ReadSeed(request.Seed, "seed"), resetOptions);
                session.State = EpisodeState.Running;
                BeginReply(request, 2);
                reply.Write("obs"); reply.WriteValue(result.Observation);
                reply.Write("info"); reply.WriteValue(result.Info);
            }
            else
            {
                var vector = session.Vector!;
                var result = vector.Reset(ReadVectorSeeds(request.Seed, vector.NumEnvs), resetOptions);
                session.State = EpisodeState.Running;
                BeginReply(request, 2);
                reply.Write("obs"); reply.WriteValue(result.Observations);
                reply.Write("info"); reply.WriteValue(result.Info);
            }
        }
        catch (ArgumentException error)
        {
            throw new RequestError(ErrorCodes.InvalidArgument, error.Message, error);
        }
        catch (Exception failure) when (failure is not RequestError)
        {
            throw EnvFailure(client, session, request, failure);
        }
    }

    private void Step(ClientSession client, Request request)
    {
        var session = Find(client, request);
        if (session.State != EpisodeState.Running)
        {
            throw new RequestError(ErrorCodes.ResetNeeded, session.State == EpisodeState.NeedsReset
                ? $"env {session.Handle} has not been reset yet; call reset before step"
                : $"the episode of env {session.Handle} has ended (terminated or truncated); call reset before stepping again");
        }

        if (!request.HasAction) throw new RequestError(ErrorCodes.Malformed, "'step' needs an 'action'");

        if (session.Single is { } env)
        {
            var action = ReadAction(env.ActionSpace, request.Action);
            StepResult result;
            try
            {
                result = env.Step(action);
            }
            catch (Exception failure)
            {
                throw EnvFailure(client, session, request, failure);
            }

            if (result.Terminated || result.Truncated) session.State = EpisodeState.Ended;
            BeginReply(request, 5);
            reply.Write("obs"); reply.WriteValue(result.Observation);
            reply.Write("reward"); reply.Write(result.Reward);
            reply.Write("terminated"); reply.Write(result.Terminated);
            reply.Write("truncated"); reply.Write(result.Truncated);
            reply.Write("info"); reply.WriteValue(result.Info);
        }
        else
        {
            var vector = session.Vector!;
            var actions = ReadVectorActions(vector, request.Action);
            VectorStepResult result;
            try
            {
                result = vector.Step(actions);
            }
            catch (Exception failure)
            {
                throw EnvFailure(client, session, request, failure);
            }

            BeginReply(request, 5);
            reply.Write("obs"); reply.WriteValue(result.Observations);
            reply.Write("reward"); WireFormat.WriteArray(reply, NDArray.From(result.Rewards));
            reply.Write("terminated"); WireFormat.WriteArray(reply, NDArray.From(result.Terminated));
            reply.Write("truncated"); WireFormat.WriteArray(reply, NDArray.From(result.Truncated));
            reply.Write("info"); reply.WriteValue(result.Info);
        }
    }

    private void Render(ClientSession client, Request request)
    {
        var session = Find(client, request);
        if (session.RenderMode is null)
        {
            throw new RequestError(ErrorCodes.NotRendering, $"env {session.Handle} was made without a render_mode; make it with render_mode 'rgb_array' to render");
        }

        if (session.State == EpisodeState.NeedsReset)
        {
            throw new RequestError(ErrorCodes.ResetNeeded, $"env {session.Handle} has no state to draw yet; call reset before render");
        }

        try
        {
            if (session.Single is { } env)
            {
                var frame = env.Render();
                BeginReply(request, 1);
                reply.Write("frame"); WireFormat.WriteArray(reply, frame);
            }
            else
            {
                var frames = session.Vector!.Render();
                BeginReply(request, 1);
                reply.Write("frames"); reply.WriteValue(frames);
            }
        }
        catch (Exception failure)
        {
            throw EnvFailure(client, session, request, failure);
        }
    }

    private void CloseHandle(ClientSession client, Request request)
    {
        var session = Find(client, request);
        client.Envs.Remove(session.Handle);
        Close(client, session, "requested");
        BeginReply(request, 0);
    }

    private EnvSession Find(ClientSession client, Request request)
    {
        long handle = request.RequireHandle();
        return client.Envs.TryGetValue(handle, out var session)
            ? session
            : throw new RequestError(ErrorCodes.UnknownHandle,
                $"this client has no env {handle}: it was never made, was closed, was closed after {options.IdleTimeout.TotalSeconds:0} s without requests, or the server restarted; make it again");
    }

    private static object ReadAction(Space space, object? tree)
    {
        object action;
        try
        {
            action = space.Coerce(tree);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            throw new RequestError(ErrorCodes.InvalidAction, $"invalid action: {error.Message}", error);
        }

        return space.Contains(action)
            ? action
            : throw new RequestError(ErrorCodes.InvalidAction, $"action {Space.Describe(action)} is not in the action space {space}");
    }

    private static object ReadVectorActions(SyncVectorEnv vector, object? tree)
    {
        object actions;
        try
        {
            actions = vector.ActionSpace.Coerce(tree);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            throw new RequestError(ErrorCodes.InvalidAction,
                $"invalid actions for {vector.NumEnvs} sub-envs of {vector.SingleActionSpace}: {error.Message}", error);
        }

        if (vector.ActionSpace.Contains(actions)) return actions;
        // Rejected: find the first sub-env at fault, for a message that points at it.
        var perEnv = Batching.Iterate(vector.SingleActionSpace, actions, vector.NumEnvs);
        int culprit = Enumerable.Range(0, perEnv.Count).FirstOrDefault(i => !vector.SingleActionSpace.Contains(perEnv[i]));
        throw new RequestError(ErrorCodes.InvalidAction,
            $"action {Space.Describe(perEnv[culprit])} of sub-env {culprit} is not in the action space {vector.SingleActionSpace}");
    }

    private static long? ReadSeed(object? tree, string what) => tree switch
    {
        null => null,
        long seed and >= 0 => seed,
        _ => throw new RequestError(ErrorCodes.InvalidArgument, $"{what} must be a non-negative integer or nil; got {Space.Describe(tree)}"),
    };

    private static long?[] ReadVectorSeeds(object? tree, int numEnvs)
    {
        var seeds = new long?[numEnvs];
        switch (tree)
        {
            case null:
                break;
            case object?[] list when list.Length == numEnvs:
                for (int i = 0; i < numEnvs; i++) seeds[i] = ReadSeed(list[i], $"seed[{i}]");
                break;
            case object?[] list:
                throw new RequestError(ErrorCodes.InvalidArgument, $"seed must list one seed per sub-env ({numEnvs}); got {list.Length}");
            default:
                long first = ReadSeed(tree, "seed")!.Value;
                for (int i = 0; i < numEnvs; i++) seeds[i] = first + i;
                break;
        }

        return seeds;
    }

    private static Dictionary<string, object?> ReadMap(object tree, string what, string code) =>
        tree as Dictionary<string, object?> ?? throw new RequestError(code, $"{what} must be a map with string keys; got {Space.Describe(tree)}");

    private static Dictionary<string, object?> KwargsWithoutTimeLimit(EnvKwargs kwargs) =>
        kwargs.Values.Where(pair => pair.Key != EnvKwargs.MaxEpisodeStepsKey).ToDictionary();

    private RequestError EnvFailure(ClientSession client, EnvSession? session, Request request, Exception failure)
    {
        log.Error("env_failure", ("client", client.Id), ("handle", session?.Handle), ("op", request.Op), ("request", request.Id), ("exception", failure.ToString()));
        if (session is not null && client.Envs.Remove(session.Handle)) Close(client, session, "failure");
        return new RequestError(ErrorCodes.EnvFailure,
            $"the env failed during '{request.Op}' ({failure.GetType().Name}: {failure.Message})" + (session is null ? "" : $"; env {session.Handle} is closed"), failure);
    }

    private void Close(ClientSession client, EnvSession session, string reason)
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

    private void WriteSpec(EnvSpec spec, IReadOnlyDictionary<string, object?> kwargs, int? maxEpisodeSteps, bool withDescription)
    {
        reply.WriteMapHeader(withDescription ? 7 : 6);
        reply.Write("id"); reply.Write(spec.Id);
        reply.Write("max_episode_steps");
        if (maxEpisodeSteps is int steps) reply.Write(steps); else reply.WriteNil();
        reply.Write("reward_threshold");
        if (spec.RewardThreshold is double threshold) reply.Write(threshold); else reply.WriteNil();
        reply.Write("nondeterministic"); reply.Write(spec.Nondeterministic);
        reply.Write("kwargs"); reply.WriteValue(kwargs);
        reply.Write("render_modes"); WriteStrings(spec.RenderModes);
        if (withDescription)
        {
            reply.Write("description"); reply.Write(spec.Description);
        }
    }

    private void WriteStrings(IReadOnlyList<string> items)
    {
        reply.WriteArrayHeader(items.Count);
        foreach (var item in items) reply.Write(item);
    }

    private void BeginReply(Request request, int resultFields)
    {
        replyBuffer.ResetWrittenCount();
        reply.WriteMapHeader(1 + resultFields);
        reply.Write("id");
        reply.Write(request.Id!.Value);
    }

    private void WriteError(ClientSession client, Request request, string code, string message)
    {
        log.Warn("request_error", ("client", client.Id), ("op", request.Op.Length == 0 ? null : request.Op), ("handle", request.Handle), ("request", request.Id), ("code", code), ("message", message));
        replyBuffer.ResetWrittenCount();
        reply.WriteMapHeader(2);
        reply.Write("id");
        if (request.Id is ulong id) reply.Write(id); else reply.WriteNil();
        reply.Write("error");
        reply.WriteMapHeader(2);
        reply.Write("code"); reply.Write(code);
        reply.Write("message"); reply.Write(message);
    }

    private static void TryParse(ReadOnlySpan<byte> payload, Request request)
    {
        try
        {
            Request.Parse(payload, request);
        }
        catch (RequestError)
        {
            // Only the id matters here: the request is rejected for its size whatever it holds.
        }
    }

    private static readonly string ServerVersion =
        typeof(RequestHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
