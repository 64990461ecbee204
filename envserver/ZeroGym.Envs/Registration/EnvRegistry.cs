namespace ZeroGym.Envs.Registration;

/// <summary>
/// The env ids a server offers, as Gymnasium's registry. It names no env: each family lists its specs from its own
/// folder (<c>CartPoleRegistration</c>, <c>NesRegistration</c>, ...) and the program that serves them assembles the
/// registry (the env server's <c>BuiltInEnvs</c>).
/// </summary>
public sealed class EnvRegistry
{
    /// <summary>The <see cref="SourceOf"/> of the envs compiled into the program.</summary>
    public const string BuiltIn = "built in";

    private readonly Dictionary<string, (EnvSpec Spec, string Source)> specs = new(StringComparer.Ordinal);

    public IEnumerable<EnvSpec> Specs => specs.Values.Select(entry => entry.Spec);

    /// <summary>Adds one env id; an id registered before throws <see cref="ArgumentException"/>.</summary>
    /// <param name="spec">The env's spec.</param>
    /// <param name="source">Where the env comes from, for <c>list</c>: <see cref="BuiltIn"/>, "assembly MyEnvs.dll", ...</param>
    public void Register(EnvSpec spec, string source = BuiltIn)
    {
        if (!specs.TryAdd(spec.Id, (spec, source))) throw new ArgumentException($"env id '{spec.Id}' is already registered");
    }

    /// <summary>Adds every spec of a family, as <see cref="Register(EnvSpec, string)"/> does one.</summary>
    public void Register(IEnumerable<EnvSpec> family, string source = BuiltIn)
    {
        foreach (var spec in family) Register(spec, source);
    }

    /// <summary>Where the env <paramref name="id"/> comes from, as it was registered.</summary>
    public string SourceOf(string id) => specs[id].Source;

    public bool TryGet(string id, out EnvSpec spec)
    {
        bool found = specs.TryGetValue(id, out var entry);
        spec = entry.Spec;
        return found;
    }

    /// <summary>The spec for <paramref name="id"/>; an unknown id throws <see cref="KeyNotFoundException"/> listing the known ones.</summary>
    public EnvSpec Get(string id) =>
        TryGet(id, out var spec)
            ? spec
            : throw new KeyNotFoundException($"no env '{id}'; this server has {string.Join(", ", specs.Keys.Order())}");
}
