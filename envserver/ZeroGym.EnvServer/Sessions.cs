using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Vector;
using ZeroGym.Spaces;

namespace ZeroGym.EnvServer;

/// <summary>Where a single env is in SPEC.md §3.1's state machine.</summary>
internal enum EpisodeState
{
    NeedsReset,
    Running,
    Ended,
}

/// <summary>One handle: a single env or a vector env, with the state the server enforces around it.</summary>
internal sealed class EnvSession : IDisposable
{
    private EnvSession(long handle, EnvSpec spec, EnvKwargs kwargs, string? renderMode, Env? single, SyncVectorEnv? vector)
    {
        Handle = handle;
        Spec = spec;
        Kwargs = kwargs;
        RenderMode = renderMode;
        Single = single;
        Vector = vector;
    }

    public long Handle { get; }

    public EnvSpec Spec { get; }

    public EnvKwargs Kwargs { get; }

    public string? RenderMode { get; }

    /// <summary>The env of a single-env handle, else null.</summary>
    public Env? Single { get; }

    /// <summary>The vector env of a vector handle, else null.</summary>
    public SyncVectorEnv? Vector { get; }

    public EpisodeState State { get; set; } = EpisodeState.NeedsReset;

    /// <summary>The worker processes of the env(s), when they run in their own (<see cref="Workers.WorkerEnv"/>).</summary>
    public IReadOnlyList<int> WorkerProcessIds =>
        (Single is null ? Vector!.Envs : [Single]).OfType<Workers.WorkerEnv>().Select(env => env.WorkerProcessId).ToList();

    public Space ObservationSpace => Single?.ObservationSpace ?? Vector!.SingleObservationSpace;

    public Space ActionSpace => Single?.ActionSpace ?? Vector!.SingleActionSpace;

    /// <summary>
    /// Builds the env(s), each in a worker process of its own when the spec asks for one and
    /// <see cref="ServerOptions.InProcessEnvs"/> is off; throws <see cref="ArgumentException"/> for bad kwargs or render mode.
    /// </summary>
    public static EnvSession Create(long handle, EnvSpec spec, EnvKwargs kwargs, string? renderMode, int? numEnvs, ServerOptions options)
    {
        Env Make()
        {
            if (!spec.NeedsOwnProcess || options.InProcessEnvs) return spec.Make(kwargs, renderMode);
            var forwarded = new Dictionary<string, object?>(kwargs.Values) { [EnvKwargs.MaxEpisodeStepsKey] = kwargs.MaxEpisodeSteps };
            return new Workers.WorkerEnv(spec.Id, forwarded, renderMode, options.WorkerArguments);
        }

        if (numEnvs is not int count) return new EnvSession(handle, spec, kwargs, renderMode, Make(), null);

        var envs = new List<Env>(count);
        try
        {
            for (int i = 0; i < count; i++) envs.Add(Make());
            return new EnvSession(handle, spec, kwargs, renderMode, null, new SyncVectorEnv(envs));
        }
        catch
        {
            foreach (var env in envs) env.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Single?.Dispose();
        Vector?.Dispose();
    }
}

/// <summary>One connection (ROUTER identity) and the envs it owns.</summary>
internal sealed class ClientSession(string id, DateTimeOffset now)
{
    public string Id { get; } = id;

    public Dictionary<long, EnvSession> Envs { get; } = [];

    public DateTimeOffset LastSeen { get; set; } = now;

    public string? Name { get; set; }
}
