using System.Globalization;
using ZeroGym.Envs.Core;

namespace ZeroGym.Envs.Wrappers;

/// <summary>
/// The observation wrappers of the <c>wrappers</c> make kwarg (SPEC.md §3.3), applied in order around the env and its
/// time limit: a list whose items are a wrapper name or a map {"name": ..., parameters...}, or a preset name.
/// Parsing checks names and parameters; <see cref="Apply"/> checks that each wrapper fits the observation space
/// it receives. Both throw <see cref="ArgumentException"/> saying what was expected and what was found.
/// </summary>
public sealed class WrapperChain
{
    /// <summary>The wrappers a chain may name, with every parameter's default (its type is the parameter's type).</summary>
    private static readonly Dictionary<string, Dictionary<string, object?>> Defaults = new(StringComparer.Ordinal)
    {
        ["skip_frames"] = new() { ["n"] = 4L },
        ["grayscale"] = new() { ["keep_dim"] = false },
        ["resize"] = new() { ["shape"] = new object?[] { 84L, 84L } },
        ["frame_stack"] = new() { ["n"] = 4L },
    };

    /// <summary>Bounds on the integer parameters, so no request can make the server allocate without limit.</summary>
    private const long MaxRepeat = 1000, MaxStack = 64, MaxSide = 4096;

    private static readonly object?[] AtariLike =
    [
        new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = 4L },
        "grayscale",
        new Dictionary<string, object?> { ["name"] = "resize", ["shape"] = new object?[] { 84L, 84L } },
        new Dictionary<string, object?> { ["name"] = "frame_stack", ["n"] = 4L },
    ];

    /// <summary>Named chains: "mario" is the Mario tutorial's (seed 002); "atari_like" is the same chain.</summary>
    private static readonly Dictionary<string, object?[]> Presets = new(StringComparer.Ordinal)
    {
        ["mario"] = AtariLike,
        ["atari_like"] = AtariLike,
    };

    private WrapperChain(IReadOnlyList<(string Name, Dictionary<string, object?> Parameters)> wrappers) => Wrappers = wrappers;

    /// <summary>Each wrapper with all its parameters, defaults included, in the order they apply (innermost first).</summary>
    public IReadOnlyList<(string Name, Dictionary<string, object?> Parameters)> Wrappers { get; }

    /// <summary>Frames of the inner env each step covers: the product of the chain's <c>skip_frames</c> (1 without).</summary>
    public int FramesPerStep => Wrappers.Where(wrapper => wrapper.Name == "skip_frames")
        .Aggregate(1, (frames, wrapper) => (int)Math.Min(int.MaxValue, frames * (long)wrapper.Parameters["n"]!));

    /// <summary>
    /// The frame rate at which one rendered frame per step plays at the inner env's speed, for an inner env rendering
    /// at <paramref name="innerFps"/>: a video recorder writing a frame a step (rounded, at least 1; 0 stays 0, unknown).
    /// </summary>
    public int RenderFps(int innerFps) => innerFps <= 0 ? innerFps : Math.Max(1, (int)Math.Round(innerFps / (double)FramesPerStep, MidpointRounding.AwayFromZero));

    /// <summary>The chain in its wire form, presets expanded and defaults filled in: a list of maps with "name".</summary>
    public object?[] ToWire() =>
        [.. Wrappers.Select(wrapper => (object?)new Dictionary<string, object?>(wrapper.Parameters.Prepend(new("name", wrapper.Name))))];

    /// <summary>Reads the kwarg's value: a preset name or a list of wrappers (null or an empty list: no wrappers).</summary>
    public static WrapperChain Parse(object? value) => value switch
    {
        null => new WrapperChain([]),
        string preset when Presets.TryGetValue(preset, out var items) => Parse(items),
        string other when Defaults.ContainsKey(other) => throw new ArgumentException(
            $"wrappers must be a list or a preset ({PresetList}); got '{other}', a wrapper name: pass it in a list, ['{other}']"),
        string other => throw new ArgumentException($"unknown wrappers preset '{other}'; presets are {PresetList}"),
        IList<object?> items => Parse(items),
        _ => throw new ArgumentException($"wrappers must be a list of wrappers or a preset ({PresetList}); got {Describe(value)}"),
    };

    /// <summary>Wraps <paramref name="env"/> in each wrapper in turn; on failure disposes nothing (the caller owns
    /// <paramref name="env"/>) and names the wrapper at fault.</summary>
    public Env Apply(Env env, string envId)
    {
        for (int i = 0; i < Wrappers.Count; i++)
        {
            var (name, parameters) = Wrappers[i];
            try
            {
                env = name switch
                {
                    "skip_frames" => new SkipFrames(env, (int)(long)parameters["n"]!),
                    "grayscale" => new Grayscale(env, (bool)parameters["keep_dim"]!),
                    "resize" => new Resize(env, (int)(long)((object?[])parameters["shape"]!)[0]!, (int)(long)((object?[])parameters["shape"]!)[1]!),
                    "frame_stack" => new FrameStack(env, (int)(long)parameters["n"]!),
                    _ => throw new InvalidOperationException($"wrapper '{name}' has no constructor"),
                };
            }
            catch (ArgumentException error)
            {
                throw new ArgumentException($"{envId}: wrappers[{i}] ({name}) does not fit: {error.Message}", error);
            }
        }

        return env;
    }

    private static WrapperChain Parse(IList<object?> items)
    {
        var wrappers = new List<(string, Dictionary<string, object?>)>(items.Count);
        for (int i = 0; i < items.Count; i++) wrappers.Add(ParseOne(items[i], $"wrappers[{i}]"));
        return new WrapperChain(wrappers);
    }

    private static (string Name, Dictionary<string, object?> Parameters) ParseOne(object? item, string where)
    {
        var (name, given) = item switch
        {
            string text => (text, (IReadOnlyDictionary<string, object?>)Info.Empty),
            IReadOnlyDictionary<string, object?> map when map.TryGetValue("name", out var n) && n is string text => (text, map),
            IReadOnlyDictionary<string, object?> => throw new ArgumentException($"{where} must have a string 'name' (one of {NameList})"),
            _ => throw new ArgumentException($"{where} must be a wrapper name or a map with 'name'; got {Describe(item)}"),
        };
        if (!Defaults.TryGetValue(name, out var defaults))
        {
            throw new ArgumentException($"{where}: unknown wrapper '{name}'; wrappers are {NameList}");
        }

        var parameters = new Dictionary<string, object?>(defaults);
        foreach (var (key, value) in given)
        {
            if (key == "name") continue;
            if (!defaults.ContainsKey(key))
            {
                throw new ArgumentException($"{where}: {name} takes {Signature(name)}; got unknown parameter '{key}'");
            }

            parameters[key] = Check(name, key, value, where);
        }

        return (name, parameters);
    }

    private static object? Check(string name, string key, object? value, string where) => (name, key, value) switch
    {
        ("skip_frames", "n", long n) when n is >= 1 and <= MaxRepeat => n,
        ("frame_stack", "n", long n) when n is >= 1 and <= MaxStack => n,
        ("grayscale", "keep_dim", bool keep) => keep,
        ("resize", "shape", IList<object?> shape) when shape is [long height, long width]
            && height is >= 1 and <= MaxSide && width is >= 1 and <= MaxSide => new object?[] { height, width },
        _ => throw new ArgumentException($"{where}: {name} parameter '{key}' must be {Expected(name, key)}; got {Describe(value)}"),
    };

    private static string Expected(string name, string key) => (name, key) switch
    {
        ("skip_frames", "n") => $"an integer from 1 to {MaxRepeat}",
        ("frame_stack", "n") => $"an integer from 1 to {MaxStack}",
        ("grayscale", "keep_dim") => "a bool",
        _ => $"[height, width], two integers from 1 to {MaxSide}",
    };

    private static string Signature(string name) =>
        string.Join(", ", Defaults[name].Select(pair => $"'{pair.Key}' (default {Describe(pair.Value)})"));

    private static string NameList => string.Join(", ", Defaults.Keys);

    private static string PresetList => string.Join(", ", Presets.Keys.Select(preset => $"'{preset}'"));

    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        string text => $"'{text}'",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        IList<object?> list => "[" + string.Join(", ", list.Cast<object?>().Select(Describe)) + "]",
        IReadOnlyDictionary<string, object?> => "a map",
        _ => value.GetType().Name,
    };
}
