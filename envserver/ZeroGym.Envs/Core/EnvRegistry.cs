namespace ZeroGym.Envs.Core;

/// <summary>The env ids a server offers, as Gymnasium's registry.</summary>
public sealed class EnvRegistry
{
    private readonly Dictionary<string, EnvSpec> specs = new(StringComparer.Ordinal);

    /// <summary>A registry with every env this project ships.</summary>
    /// <param name="romDirectory">Where NES envs find the user's ROMs; null reads <c>ZEROGYM_ROM_DIR</c> when an env is made.</param>
    public static EnvRegistry CreateDefault(string? romDirectory = null)
    {
        var registry = new EnvRegistry { RomDirectory = romDirectory };
        registry.Register(CartPole.CartPoleEnv.Spec);
        registry.Register(Pendulum.PendulumEnv.Spec);
        registry.Register(MuJoCo.HalfCheetah.HalfCheetahEnv.Spec);
        var roms = new Nes.RomDirectory(romDirectory);
        registry.Register(Nes.NesEnv.CreateSpec(roms));
        foreach (var spec in Nes.SuperMarioBrosEnv.CreateSpecs(roms)) registry.Register(spec);
        return registry;
    }

    public IEnumerable<EnvSpec> Specs => specs.Values;

    /// <summary>The ROM directory the NES envs were given (null: <c>ZEROGYM_ROM_DIR</c>), for worker processes to use too.</summary>
    public string? RomDirectory { get; private init; }

    public void Register(EnvSpec spec)
    {
        if (!specs.TryAdd(spec.Id, spec)) throw new ArgumentException($"env id '{spec.Id}' is already registered");
    }

    public bool TryGet(string id, out EnvSpec spec) => specs.TryGetValue(id, out spec!);

    /// <summary>The spec for <paramref name="id"/>; an unknown id throws <see cref="KeyNotFoundException"/> listing the known ones.</summary>
    public EnvSpec Get(string id) =>
        TryGet(id, out var spec)
            ? spec
            : throw new KeyNotFoundException($"no env '{id}'; this server has {string.Join(", ", specs.Keys.Order())}");
}
