using System.Buffers;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.EnvServer;

/// <summary>
/// Answers requests (SPEC.md §3) for many clients with exactly one reply each: reads the request through its
/// declaration (<see cref="ZeroGym.Protocol.Messages"/>), calls the env and writes the reply's declaration. Who holds
/// which env is <see cref="Clients"/>'s business, the episode state machine <see cref="EnvSession"/>'s. It knows
/// nothing of sockets, so tests and the fuzzer drive it directly. Not thread-safe: the server's loop calls it from one thread.
/// </summary>
public sealed class RequestHandler : IDisposable
{
    private static readonly string OpList = string.Join(", ", MessageCatalog.Operations.Select(operation => operation.Op));

    private static readonly string ServerVersion = typeof(RequestHandler).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly EnvRegistry registry;
    private readonly ServerOptions options;
    private readonly ServerLog log;
    private readonly TimeProvider time;
    private readonly Clients clients;
    private readonly ArrayBufferWriter<byte> replyBuffer = new(4096);
    private readonly RequestHeader header = new();
    private long? requestHandle;

    // The replies of the hot path, filled anew for each step: the loop is single-threaded and each is written at once.
    private readonly StepReply stepReply = new();
    private readonly VectorStepReply vectorStepReply = new();

    public RequestHandler(EnvRegistry registry, ServerOptions options, ServerLog log, TimeProvider? time = null)
    {
        this.registry = registry;
        this.options = options;
        this.log = log;
        this.time = time ?? TimeProvider.System;
        clients = new Clients(options, log, this.time);
    }

    /// <summary>Every client currently known (one with no envs is forgotten when idle).</summary>
    public int ClientCount => clients.Count;

    /// <summary>The envs open over all clients.</summary>
    public int OpenEnvCount => clients.OpenEnvCount;

    /// <summary>
    /// Handles one request from <paramref name="clientId"/> and returns the reply payload, valid until the next
    /// call. Never throws for anything the request contains.
    /// </summary>
    public ReadOnlyMemory<byte> Handle(string clientId, ReadOnlyMemory<byte> payload)
    {
        var client = clients.Touch(clientId);
        header.Id = null;
        header.Op = null;
        requestHandle = null;
        try
        {
            if (payload.Length > options.MaxMessageBytes)
            {
                ReadIdOnly(payload);
                throw new RequestError(ErrorCodes.TooLarge, $"the request has {payload.Length} bytes; this server accepts at most {options.MaxMessageBytes}");
            }

            ReadHeader(payload);
            Dispatch(client, payload);
        }
        catch (RequestError error)
        {
            WriteError(client, error.Code, error.Message);
        }
        catch (Exception bug)
        {
            log.Error("internal_error", ("client", client.Id), ("op", header.Op), ("request", header.Id), ("exception", bug.ToString()));
            WriteError(client, ErrorCodes.Internal, $"the server failed unexpectedly ({bug.GetType().Name}: {bug.Message}); please report it with the server's log");
        }

        return replyBuffer.WrittenMemory;
    }

    /// <summary>Answers a request that could not be read at all (no id) with an error, for the transport's own checks.</summary>
    public ReadOnlyMemory<byte> Reject(string clientId, string code, string message)
    {
        var client = clients.Touch(clientId);
        header.Id = null;
        header.Op = null;
        requestHandle = null;
        WriteError(client, code, message);
        return replyBuffer.WrittenMemory;
    }

    /// <summary>Closes the envs of clients silent for longer than the idle timeout.</summary>
    public void CloseIdleClients() => clients.CloseIdle();

    /// <summary>Closes every env (server shutdown).</summary>
    public void Dispose() => clients.Dispose();

    private void Dispatch(ClientSession client, ReadOnlyMemory<byte> payload)
    {
        switch (header.Op)
        {
            case Ops.Step: Step(client, Read<StepRequest>(payload)); break;
            case Ops.Reset: Reset(client, Read<ResetRequest>(payload)); break;
            case Ops.Hello: Hello(client, Read<HelloRequest>(payload)); break;
            case Ops.Ping: Write(PingReply.Shape, new PingReply { Id = Read<PingRequest>(payload).Id, Time = time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 }); break;
            case Ops.List: List(Read<ListRequest>(payload)); break;
            case Ops.Make: Make(client, Read<MakeRequest>(payload)); break;
            case Ops.Render: Render(client, Read<RenderRequest>(payload)); break;
            case Ops.Close: Close(client, Read<CloseRequest>(payload)); break;
            default:
                // A broken payload is malformed before its op is unknown, as when the whole request was read first.
                ReadHeader(payload, whole: true);
                throw new RequestError(ErrorCodes.UnknownOp, $"unknown op '{header.Op}'; expected one of {OpList}");
        }
    }

    private void Hello(ClientSession client, HelloRequest request)
    {
        if (!ProtocolConstants.IsCompatible(request.Protocol))
        {
            throw new RequestError(ErrorCodes.VersionMismatch,
                $"this server speaks protocol {ProtocolConstants.Version}; the client speaks {request.Protocol}. Use a client and server of the same protocol version");
        }

        client.Name = request.Client;
        log.Info("hello", ("client", client.Id), ("name", request.Client));
        Write(HelloReply.Shape, new HelloReply
        {
            Id = request.Id,
            Protocol = ProtocolConstants.Version,
            Version = ServerVersion,
            Capabilities = ProtocolConstants.Capabilities,
            MaxMessageBytes = options.MaxMessageBytes,
            IdleTimeout = options.IdleTimeout.TotalSeconds,
        });
    }

    private void List(ListRequest request) => Write(ListReply.Shape, new ListReply
    {
        Id = request.Id,
        Envs = registry.Specs.OrderBy(spec => spec.Id, StringComparer.Ordinal)
            .Select(spec => SpecMessage(spec, spec.Kwargs, spec.MaxEpisodeSteps, spec.Description)).ToList(),
    });

    private void Make(ClientSession client, MakeRequest request)
    {
        if (!registry.TryGet(request.Env, out var spec))
        {
            throw new RequestError(ErrorCodes.UnknownEnv,
                $"no env '{request.Env}'; this server has {string.Join(", ", registry.Specs.Select(s => s.Id).Order(StringComparer.Ordinal))}");
        }

        if (request.NumEnvs is long numEnvs && (numEnvs < 1 || numEnvs > options.MaxNumEnvs))
        {
            throw new RequestError(ErrorCodes.InvalidArgument, $"num_envs must be between 1 and {options.MaxNumEnvs}; got {numEnvs}");
        }

        clients.EnsureRoomForAnother(client);
        var session = clients.Run(client, null, Ops.Make, request.Id, () => clients.Add(client, handle =>
        {
            var kwargs = EnvKwargs.Parse(spec, request.Kwargs);
            return EnvSession.Create(handle, spec, kwargs, request.RenderMode, (int?)request.NumEnvs, options);
        }), argumentErrors: true);

        log.Info("env_made", ("client", client.Id), ("handle", session.Handle), ("env", spec.Id), ("num_envs", request.NumEnvs), ("render_mode", request.RenderMode),
            ("worker_pids", session.WorkerProcessIds.Count == 0 ? null : string.Join(",", session.WorkerProcessIds)));
        Write(MakeReply.Shape, new MakeReply
        {
            Id = request.Id,
            Handle = session.Handle,
            Env = spec.Id,
            NumEnvs = session.Vector?.NumEnvs,
            ObservationSpace = session.ObservationSpace,
            ActionSpace = session.ActionSpace,
            Spec = SpecMessage(spec, session.Kwargs.Values.Where(pair => pair.Key != EnvKwargs.MaxEpisodeStepsKey).ToDictionary(), session.Kwargs.MaxEpisodeSteps, null),
            RenderMode = session.RenderMode,
            Metadata = new RenderMetadata { RenderModes = spec.RenderModes, RenderFps = spec.RenderFps },
        });
    }

    private void Reset(ClientSession client, ResetRequest request)
    {
        var session = clients.Find(client, request.Handle);
        var (observation, info) = clients.Run(client, session, Ops.Reset, request.Id, () =>
        {
            if (session.Single is { } env)
            {
                var result = env.Reset(EnvSession.ReadSeed(request.Seed), request.Options);
                return (result.Observation, result.Info);
            }

            var vectorResult = session.Vector!.Reset(session.ReadVectorSeeds(request.Seed), request.Options);
            return (vectorResult.Observations, vectorResult.Info);
        }, argumentErrors: true);
        session.State = EpisodeState.Running;
        Write(ResetReply.Shape, new ResetReply { Id = request.Id, Obs = observation, Info = info });
    }

    private void Step(ClientSession client, StepRequest request)
    {
        var session = clients.Find(client, request.Handle);
        session.EnsureCanStep();
        if (session.Single is { } env)
        {
            var action = session.ReadAction(request.Action);
            var result = clients.Run(client, session, Ops.Step, request.Id, () => env.Step(action));
            if (result.Terminated || result.Truncated) session.State = EpisodeState.Ended;
            stepReply.Id = request.Id;
            (stepReply.Obs, stepReply.Reward, stepReply.Terminated, stepReply.Truncated, stepReply.Info) =
                (result.Observation, result.Reward, result.Terminated, result.Truncated, result.Info);
            Write(StepReply.Shape, stepReply);
        }
        else
        {
            var actions = session.ReadVectorActions(request.Action);
            var result = clients.Run(client, session, Ops.Step, request.Id, () => session.Vector!.Step(actions));
            vectorStepReply.Id = request.Id;
            vectorStepReply.Obs = result.Observations;
            vectorStepReply.Reward = NDArray.From(result.Rewards);
            vectorStepReply.Terminated = NDArray.From(result.Terminated);
            vectorStepReply.Truncated = NDArray.From(result.Truncated);
            vectorStepReply.Info = result.Info;
            Write(VectorStepReply.Shape, vectorStepReply);
        }
    }

    private void Render(ClientSession client, RenderRequest request)
    {
        var session = clients.Find(client, request.Handle);
        session.EnsureCanRender();
        if (session.Single is { } env)
        {
            var frame = clients.Run(client, session, Ops.Render, request.Id, env.Render);
            Write(RenderReply.Shape, new RenderReply { Id = request.Id, Frame = frame });
        }
        else
        {
            var frames = clients.Run(client, session, Ops.Render, request.Id, session.Vector!.Render);
            Write(VectorRenderReply.Shape, new VectorRenderReply { Id = request.Id, Frames = frames });
        }
    }

    private void Close(ClientSession client, CloseRequest request)
    {
        clients.Close(client, clients.Find(client, request.Handle), "requested");
        Write(CloseReply.Shape, new CloseReply { Id = request.Id });
    }

    private static EnvSpecMessage SpecMessage(EnvSpec spec, IReadOnlyDictionary<string, object?> kwargs, int? maxEpisodeSteps, string? description) => new()
    {
        Id = spec.Id,
        MaxEpisodeSteps = maxEpisodeSteps,
        RewardThreshold = spec.RewardThreshold,
        Nondeterministic = spec.Nondeterministic,
        Kwargs = kwargs,
        RenderModes = spec.RenderModes,
        Description = description,
    };

    /// <summary>The request as its op declares it; a missing or wrong-typed key is the request's error, with its code.</summary>
    private T Read<T>(ReadOnlyMemory<byte> payload) where T : Request, IRequest<T>, new()
    {
        try
        {
            var request = T.Shape.Read(payload);
            requestHandle = (request as HandleRequest)?.Handle;
            return request;
        }
        catch (Exception error) when (error is MessageFormatException or WireDecodeException)
        {
            throw Unreadable(error);
        }
    }

    private void ReadHeader(ReadOnlyMemory<byte> payload, bool whole = false)
    {
        try
        {
            RequestHeader.Read(payload, header, whole);
        }
        catch (Exception error) when (error is MessageFormatException or WireDecodeException)
        {
            throw Unreadable(error);
        }
    }

    /// <summary>A request that does not follow its declaration (with the declaration's code) or is not MessagePack at all.</summary>
    private static RequestError Unreadable(Exception error) => error is MessageFormatException format
        ? new RequestError(format.Code, format.Message, format)
        : new RequestError(ErrorCodes.Malformed, $"the request is not valid MessagePack: {error.Message}", error);

    /// <summary>Reads as much of the header as can be read, for the id of a request rejected whatever it holds.</summary>
    private void ReadIdOnly(ReadOnlyMemory<byte> payload)
    {
        try
        {
            ReadHeader(payload);
        }
        catch (RequestError)
        {
            // The request is rejected for its size: only the id matters, if it could be read.
        }
    }

    private void Write<T>(MessageShape<T> shape, T reply) where T : class, new()
    {
        replyBuffer.ResetWrittenCount();
        var writer = new MessagePackWriter(replyBuffer);
        shape.Write(ref writer, reply);
        writer.Flush();
    }

    private void WriteError(ClientSession client, string code, string message)
    {
        log.Warn("request_error", ("client", client.Id), ("op", header.Op), ("handle", requestHandle), ("request", header.Id), ("code", code), ("message", message));
        Write(ErrorReply.Shape, new ErrorReply { Id = header.Id, Error = new ErrorBody { Code = code, Message = message } });
    }
}
