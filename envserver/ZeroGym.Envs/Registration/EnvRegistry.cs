namespace ZeroGym.Envs.Registration;

/// <summary>
/// The env ids a server offers, as Gymnasium's registry. It names no env: each family lists its specs from its own
/// folder (<c>CartPoleRegistration</c>, <c>NesRegistration</c>, ...) and the program that serves them assembles the
/// registry (the env server's <c>BuiltInEnvs</c>).
/// </summary>
public sealed class EnvRegistry
{
    private readonly Dictionary<string, EnvSpec> specs = new(StringComparer.Ordinal);

    public IEnumerable<EnvSpec> Specs => specs.Values;

    /// <summary>Adds one env id; an id registered before throws <see cref="ArgumentException"/>.</summary>
    public void Register(EnvSpec spec)
    {
        if (!specs.TryAdd(spec.Id, spec)) throw new ArgumentException($"env id '{spec.Id}' is already registered");
    }

    /// <summary>Adds every spec of a family, as <see cref="Register(EnvSpec)"/> does one.</summary>
    public void Register(IEnumerable<EnvSpec> family)
    {
        foreach (var spec in family) Register(spec);
    }

    public bool TryGet(string id, out EnvSpec spec) => specs.TryGetValue(id, out spec!);

    /// <summary>The spec for <paramref name="id"/>; an unknown id throws <see cref="KeyNotFoundException"/> listing the known ones.</summary>
    public EnvSpec Get(string id) =>
        TryGet(id, out var spec)
            ? spec
            : throw new KeyNotFoundException($"no env '{id}'; this server has {string.Join(", ", specs.Keys.Order())}");
}
