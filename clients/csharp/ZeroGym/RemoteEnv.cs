using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Spaces;

namespace ZeroGym;

/// <summary>
/// An env living on a ZeroGym server, driven as Gymnasium's <c>Env</c>: <see cref="Reset"/>, <see cref="Step"/>,
/// <see cref="Render"/>, typed spaces and the spec. Observations are canonical space values (an
/// <see cref="NDArray"/> for a Box).
/// </summary>
/// <example><code>
/// using var env = RemoteEnv.Make("CartPole-v1");
/// var (observation, _) = env.Reset(seed: 42);
/// var step = env.Step(1L);
/// </code></example>
public sealed class RemoteEnv : IDisposable
{
    private readonly RemoteHandle remote;

    internal RemoteEnv(ZeroGymClient client, bool ownsClient, MakeArguments arguments)
    {
        remote = new RemoteHandle(client, ownsClient, arguments);
    }

    /// <summary>Connects to <paramref name="address"/> and makes <paramref name="envId"/> on its own connection.</summary>
    public static RemoteEnv Make(
        string envId,
        string address = ZeroGymClient.DefaultAddress,
        IReadOnlyDictionary<string, object?>? kwargs = null,
        string? renderMode = null,
        ClientOptions? options = null) =>
        new RemoteEnv(new ZeroGymClient(address, options), ownsClient: true, new MakeArguments(envId, kwargs, renderMode, NumEnvs: null));

    /// <summary>The server's handle for this env; it changes when the env is made again after a server restart.</summary>
    public long Handle => remote.Handle;

    public Space ObservationSpace => remote.ObservationSpace;

    public Space ActionSpace => remote.ActionSpace;

    public EnvSpecInfo Spec => remote.Spec;

    public string? RenderMode => remote.RenderMode;

    public int RenderFps => remote.RenderFps;

    /// <summary>
    /// Starts an episode; the same <paramref name="seed"/> gives the same start. If the server lost this env (it
    /// restarted, or closed it after its idle timeout), the env is made again first.
    /// </summary>
    public ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var reply = remote.Reset(seed, options);
        return new ResetResult(reply.Obs, reply.Info);
    }

    /// <summary>Advances the episode by <paramref name="action"/> (a <see cref="long"/> for Discrete, an NDArray for Box).</summary>
    public StepResult Step(object action)
    {
        var reply = remote.Step<StepReply>(action);
        return new StepResult(reply.Obs, reply.Reward, reply.Terminated, reply.Truncated, reply.Info);
    }

    /// <summary>The current frame (uint8, H×W×3); the env must have been made with render mode "rgb_array".</summary>
    public NDArray Render() => remote.Render<RenderReply>().Frame;

    public Task<ResetResult> ResetAsync(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        Task.Run(() => Reset(seed, options));

    public Task<StepResult> StepAsync(object action) => Task.Run(() => Step(action));

    public Task<NDArray> RenderAsync() => Task.Run(Render);

    /// <summary>Closes the env on the server (and this env's own connection, if it has one).</summary>
    public void Dispose() => remote.Dispose();

    public override string ToString() => $"RemoteEnv({Spec.Id}, handle {Handle}, {remote.Client.Address})";
}
