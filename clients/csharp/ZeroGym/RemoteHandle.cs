using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym;

/// <summary>
/// The server-side env behind a <see cref="RemoteEnv"/> or <see cref="RemoteVectorEnv"/>: makes it, sends requests
/// that carry its handle, and makes it again when the server has lost it (restart or idle timeout).
/// </summary>
internal sealed class RemoteHandle : IDisposable
{
    private readonly ZeroGymClient client;
    private readonly bool ownsClient;
    private readonly MakeArguments arguments;
    private bool lost;
    private bool disposed;

    /// <summary>Makes the env; with <paramref name="ownsClient"/>, disposing closes the connection too (also when making fails).</summary>
    public RemoteHandle(ZeroGymClient client, bool ownsClient, MakeArguments arguments)
    {
        this.client = client;
        this.ownsClient = ownsClient;
        this.arguments = arguments;
        try
        {
            Make();
        }
        catch
        {
            if (ownsClient) client.Dispose();
            throw;
        }
    }

    public ZeroGymClient Client => client;

    public long Handle { get; private set; }

    public Space ObservationSpace { get; private set; } = null!;

    public Space ActionSpace { get; private set; } = null!;

    public EnvSpecInfo Spec { get; private set; } = null!;

    public string? RenderMode => arguments.RenderMode;

    public int RenderFps { get; private set; }

    /// <summary>A vector env's <c>recv</c> batch size (SPEC.md §3.4; the number of sub-envs unless asked otherwise); null for a single env.</summary>
    public int? BatchSize { get; private set; }

    /// <summary>
    /// A request about this env (its handle is set here). After <c>unknown_handle</c>, <paramref name="remakeIfLost"/>
    /// (used by reset) makes the env again and retries once; otherwise the error says the env is gone and that reset
    /// makes it again.
    /// </summary>
    public TReply Call<TRequest, TReply>(TRequest request, bool remakeIfLost = false)
        where TRequest : HandleRequest, IRequest<TRequest>, new()
        where TReply : class, IMessage<TReply>, new()
    {
        if (lost && remakeIfLost) Make();
        try
        {
            return Send<TRequest, TReply>(request);
        }
        catch (ZeroGymException error) when (error.Code == ErrorCodes.UnknownHandle)
        {
            lost = true;
            if (!remakeIfLost) throw Gone(error);
            Make();
            return Send<TRequest, TReply>(request);
        }
    }

    /// <summary>Posts a request about this env (its handle set here) without waiting for the reply (<see cref="Await{TReply}"/> reads it).</summary>
    public PendingReply Post<TRequest>(TRequest request) where TRequest : HandleRequest, IRequest<TRequest>, new()
    {
        request.Handle = Handle;
        return client.Post(request);
    }

    /// <summary>The reply to a request posted by <see cref="Post{TRequest}"/>; after <c>unknown_handle</c> the error says the env is gone and that reset makes it again.</summary>
    public TReply Await<TReply>(PendingReply pending, bool reconnectOnTimeout = true) where TReply : class, IMessage<TReply>, new()
    {
        try
        {
            return client.Await<TReply>(pending, reconnectOnTimeout);
        }
        catch (ZeroGymException error) when (error.Code == ErrorCodes.UnknownHandle)
        {
            lost = true;
            throw Gone(error);
        }
    }

    /// <summary>Makes the env again if the server lost it (as <see cref="Reset"/> does), before a request that starts anew.</summary>
    public void MakeIfLost()
    {
        if (lost) Make();
    }

    /// <summary>Throws <see cref="NotSupportedException"/> when the server does not offer <paramref name="capability"/> (SPEC.md §3), naming what needs it.</summary>
    public void EnsureCapability(string capability, string what, string hint = "a server of protocol 1.1 or later has it") =>
        client.EnsureCapability(capability, what, hint);

    private static ZeroGymException Gone(ZeroGymException error) =>
        new(error.Code, $"{error.Message}. This env is gone from the server; Reset() will make it again", error);

    /// <summary>Sends <c>reset</c>, making the env again first if the server lost it.</summary>
    public ResetReply Reset(long? seed, IReadOnlyDictionary<string, object?>? options) =>
        Call<ResetRequest, ResetReply>(new ResetRequest { Seed = seed, Options = options }, remakeIfLost: true);

    /// <summary>Sends <c>step</c>; the reply is read as <typeparamref name="TReply"/> (single or vector).</summary>
    public TReply Step<TReply>(object action) where TReply : class, IMessage<TReply>, new() =>
        Call<StepRequest, TReply>(new StepRequest { Action = action });

    /// <summary>Sends <c>render</c>; the reply is read as <typeparamref name="TReply"/> (single or vector).</summary>
    public TReply Render<TReply>() where TReply : class, IMessage<TReply>, new() =>
        Call<RenderRequest, TReply>(new RenderRequest());

    /// <summary>
    /// Closes the server-side env and an owned connection. An env the server already lost counts as closed; when the
    /// server does not answer at all, the env is left to the server's idle timeout rather than failing the dispose.
    /// </summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        try
        {
            Send<CloseRequest, CloseReply>(new CloseRequest());
        }
        catch (ZeroGymException error) when (error.Code == ErrorCodes.UnknownHandle)
        {
        }
        catch (ServerTimeoutException)
        {
        }
        finally
        {
            if (ownsClient) client.Dispose();
        }
    }

    /// <summary>Drops an owned connection without closing the env (its server stopped answering).</summary>
    public void Abandon()
    {
        if (disposed) return;
        disposed = true;
        if (ownsClient) client.Dispose();
    }

    private TReply Send<TRequest, TReply>(TRequest request)
        where TRequest : HandleRequest, IRequest<TRequest>, new()
        where TReply : class, IMessage<TReply>, new()
    {
        request.Handle = Handle;
        return client.Call<TRequest, TReply>(request);
    }

    private void Make()
    {
        if (arguments.BatchSize is not null) EnsureCapability(ProtocolConstants.AsyncVectorCapability, "batch_size");
        var reply = client.Call<MakeRequest, MakeReply>(new MakeRequest
        {
            Env = arguments.EnvId,
            Kwargs = arguments.Kwargs,
            RenderMode = arguments.RenderMode,
            NumEnvs = arguments.NumEnvs,
            BatchSize = arguments.BatchSize,
        });
        Handle = reply.Handle;
        ObservationSpace = reply.ObservationSpace;
        ActionSpace = reply.ActionSpace;
        Spec = EnvSpecInfo.FromWire(reply.Spec);
        RenderFps = (int)reply.Metadata.RenderFps;
        BatchSize = reply.NumEnvs is long numEnvs ? (int)(reply.BatchSize ?? numEnvs) : null;
        lost = false;
    }
}
