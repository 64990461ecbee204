using ZeroGym.Protocol.MessagePack;
using ZeroGym.Spaces;
using ZeroGym.Protocol.Wire;

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

    /// <summary>
    /// A request about this env. After <c>unknown_handle</c>, <paramref name="remakeIfLost"/> (used by reset) makes the
    /// env again and retries once; otherwise the error says the env is gone and that reset makes it again.
    /// </summary>
    public TResult Call<TState, TResult>(
        string op, int fieldCount, TState state, Action<MessagePackWriter, TState> writeFields, Replies.Parser<TResult> parse, bool remakeIfLost = false)
    {
        if (lost && remakeIfLost) Make();
        try
        {
            return Send(op, fieldCount, state, writeFields, parse);
        }
        catch (ZeroGymException error) when (error.Code == ErrorCodes.UnknownHandle)
        {
            lost = true;
            if (!remakeIfLost)
            {
                throw new ZeroGymException(error.Code, $"{error.Message}. This env is gone from the server; Reset() will make it again", error);
            }

            Make();
            return Send(op, fieldCount, state, writeFields, parse);
        }
    }

    /// <summary>Sends <c>reset</c>, making the env again first if the server lost it.</summary>
    public TResult Reset<TResult>(long? seed, IReadOnlyDictionary<string, object?>? options, Replies.Parser<TResult> parse) =>
        Call(Ops.Reset, 2, (seed, options), static (writer, reset) =>
        {
            writer.Write("seed");
            if (reset.seed is long value) writer.Write(value); else writer.WriteNil();
            writer.Write("options");
            writer.WriteValue(reset.options);
        }, parse, remakeIfLost: true);

    public TResult Step<TResult>(object action, Replies.Parser<TResult> parse) =>
        Call(Ops.Step, 1, action, static (writer, value) =>
        {
            writer.Write("action");
            writer.WriteValue(value);
        }, parse);

    public Dictionary<object, object?> Render() => Call(Ops.Render, 0, 0, static (_, _) => { }, Replies.Decode);

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
            Send(Ops.Close, 0, 0, static (_, _) => { }, Replies.Decode);
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

    private TResult Send<TState, TResult>(string op, int fieldCount, TState state, Action<MessagePackWriter, TState> writeFields, Replies.Parser<TResult> parse) =>
        client.Call(op, fieldCount + 1, (Handle, state, writeFields), static (writer, call) =>
        {
            writer.Write("handle");
            writer.Write(call.Handle);
            call.writeFields(writer, call.state);
        }, parse);

    private void Make()
    {
        int fields = 1 + (arguments.Kwargs is null ? 0 : 1) + (arguments.RenderMode is null ? 0 : 1) + (arguments.NumEnvs is null ? 0 : 1);
        var reply = client.Call(Ops.Make, fields, arguments, static (writer, make) =>
        {
            writer.Write("env"); writer.Write(make.EnvId);
            if (make.Kwargs is not null)
            {
                writer.Write("kwargs"); writer.WriteValue(make.Kwargs);
            }

            if (make.RenderMode is not null)
            {
                writer.Write("render_mode"); writer.Write(make.RenderMode);
            }

            if (make.NumEnvs is int numEnvs)
            {
                writer.Write("num_envs"); writer.Write(numEnvs);
            }
        });
        Handle = Replies.Long(reply, "handle");
        ObservationSpace = Replies.Space(reply, "observation_space");
        ActionSpace = Replies.Space(reply, "action_space");
        Spec = EnvSpecInfo.FromWire(Replies.Field(reply, "spec"));
        RenderFps = (int)Replies.Long(Replies.Map(reply, "metadata"), "render_fps");
        lost = false;
    }
}
