using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Spaces;

namespace ZeroGym;

/// <summary>
/// N copies of an env on a ZeroGym server, stepped together by one message, as Gymnasium's <c>VectorEnv</c>:
/// batched observations, per-env rewards and flags, next-step autoreset and <c>seed + i</c> seeding (SPEC.md §2.3).
/// </summary>
public sealed class RemoteVectorEnv : IDisposable
{
    private readonly RemoteHandle remote;

    internal RemoteVectorEnv(ZeroGymClient client, bool ownsClient, MakeArguments arguments)
    {
        NumEnvs = arguments.NumEnvs ?? throw new ArgumentException("a vector env needs num_envs");
        remote = new RemoteHandle(client, ownsClient, arguments);
    }

    /// <summary>Connects to <paramref name="address"/> and makes a vector env on its own connection.</summary>
    public static RemoteVectorEnv Make(
        string envId,
        int numEnvs,
        string address = ZeroGymClient.DefaultAddress,
        IReadOnlyDictionary<string, object?>? kwargs = null,
        string? renderMode = null,
        ClientOptions? options = null) =>
        new RemoteVectorEnv(new ZeroGymClient(address, options), ownsClient: true, new MakeArguments(envId, kwargs, renderMode, numEnvs));

    public int NumEnvs { get; }

    public long Handle => remote.Handle;

    /// <summary>The space of one sub-env's observations.</summary>
    public Space SingleObservationSpace => remote.ObservationSpace;

    /// <summary>The space of one sub-env's actions.</summary>
    public Space SingleActionSpace => remote.ActionSpace;

    public EnvSpecInfo Spec => remote.Spec;

    public string? RenderMode => remote.RenderMode;

    /// <summary>Resets every sub-env; with a seed s, sub-env i gets s + i.</summary>
    public VectorResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var reply = remote.Reset(seed, options);
        return new VectorResetResult(reply.Obs, reply.Info);
    }

    /// <summary>Steps every sub-env; <paramref name="actions"/> is batched (e.g. an int64 NDArray of shape (N,)).</summary>
    public VectorStepResult Step(object actions)
    {
        var reply = remote.Step<VectorStepReply>(actions);
        return new VectorStepResult(
            reply.Obs, Elements<double>(reply.Reward, "reward"), Elements<bool>(reply.Terminated, "terminated"), Elements<bool>(reply.Truncated, "truncated"), reply.Info);
    }

    /// <summary>One frame per sub-env.</summary>
    public IReadOnlyList<NDArray> Render() => remote.Render<VectorRenderReply>().Frames;

    public Task<VectorResetResult> ResetAsync(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) =>
        Task.Run(() => Reset(seed, options));

    public Task<VectorStepResult> StepAsync(object actions) => Task.Run(() => Step(actions));

    public void Dispose() => remote.Dispose();

    /// <summary>One element per sub-env, of the dtype SPEC.md §2.3 gives; anything else is a broken reply.</summary>
    private T[] Elements<T>(NDArray array, string key) where T : unmanaged =>
        array.Rank == 1 && array.Length == NumEnvs && array.DType == DTypes.Of<T>()
            ? array.ToArray<T>()
            : throw new ZeroGymException(ZeroGymClient.BadReply,
                $"the server's reply must have '{key}' as a {DTypes.Of<T>().Name()} array of {NumEnvs}; found {array.DType.Name()} {NDArray.FormatShape(array.Shape)}");

    public override string ToString() => $"RemoteVectorEnv({Spec.Id}, {NumEnvs} envs, handle {Handle}, {remote.Client.Address})";
}
