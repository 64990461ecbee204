using System.Globalization;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Wrappers;

namespace ZeroGym.Envs.Registration;

/// <summary>
/// Keyword arguments of <c>make</c>, checked against the spec's declared kwargs: unknown names and values of
/// the wrong type are rejected with a message that lists what the env takes (unless the spec's kwargs are open:
/// then unknown names pass as they are, for the env to check).
/// </summary>
public sealed class EnvKwargs
{
    /// <summary>The kwarg every env accepts, as <c>gymnasium.make</c> does: it overrides the spec's time limit.</summary>
    public const string MaxEpisodeStepsKey = "max_episode_steps";

    /// <summary>The other kwarg every env accepts: observation wrappers applied on the server (see <see cref="WrapperChain"/>).</summary>
    public const string WrappersKey = "wrappers";

    private readonly Dictionary<string, object?> values;

    private EnvKwargs(Dictionary<string, object?> values, int? maxEpisodeSteps, WrapperChain? wrappers)
    {
        this.values = values;
        MaxEpisodeSteps = maxEpisodeSteps;
        Wrappers = wrappers;
    }

    /// <summary>Every kwarg in effect, defaults included.</summary>
    public IReadOnlyDictionary<string, object?> Values => values;

    public int? MaxEpisodeSteps { get; }

    /// <summary>The wrappers kwarg, or null when absent.</summary>
    public WrapperChain? Wrappers { get; }

    public static EnvKwargs Parse(EnvSpec spec, IReadOnlyDictionary<string, object?>? given)
    {
        var values = new Dictionary<string, object?>(spec.Kwargs);
        int? maxEpisodeSteps = spec.MaxEpisodeSteps;
        WrapperChain? wrappers = null;
        foreach (var (name, value) in given ?? Info.Empty)
        {
            if (name == MaxEpisodeStepsKey)
            {
                maxEpisodeSteps = value switch
                {
                    null => null,
                    long steps and > 0 and <= int.MaxValue => (int)steps,
                    int steps and > 0 => steps,
                    _ => throw new ArgumentException($"{spec.Id}: max_episode_steps must be a positive integer or null; got {Describe(value)}"),
                };
                continue;
            }

            if (name == WrappersKey)
            {
                wrappers = WrapperChain.Parse(value);
                values[WrappersKey] = wrappers.ToWire();
                continue;
            }

            if (!spec.Kwargs.TryGetValue(name, out var defaultValue))
            {
                if (spec.OpenKwargs)
                {
                    values[name] = value;
                    continue;
                }

                throw new ArgumentException(
                    $"{spec.Id} takes kwargs {Signature(spec)}; got unknown kwarg '{name}'");
            }

            values[name] = Convert(spec.Id, name, value, defaultValue);
        }

        values[MaxEpisodeStepsKey] = maxEpisodeSteps is int limit ? (long)limit : null;
        return new EnvKwargs(values, maxEpisodeSteps, wrappers);
    }

    public bool GetBool(string name) => (bool)values[name]!;

    public long GetInt(string name) => (long)values[name]!;

    public double GetDouble(string name) => (double)values[name]!;

    public string? GetString(string name) => (string?)values[name];

    private static object? Convert(string envId, string name, object? value, object? defaultValue) => (defaultValue, value) switch
    {
        (bool, bool flag) => flag,
        (long, long number) => number,
        (long, int number) => (long)number,
        (double, double number) => number,
        (double, float number) => (double)number,
        (double, long number) => (double)number,
        (double, int number) => (double)number,
        (string or null, string text) => text,
        // A kwarg whose default is a list (e.g. an action list) takes a list or a name.
        (IReadOnlyList<object?>, string or IReadOnlyList<object?>) => value,
        (null, null) or (string, null) => null,
        _ => throw new ArgumentException(
            $"{envId}: kwarg '{name}' must be {TypeName(defaultValue)}; got {Describe(value)}"),
    };

    private static string Signature(EnvSpec spec) =>
        spec.Kwargs.Count == 0 ? "none but max_episode_steps and wrappers"
        : string.Join(", ", spec.Kwargs.Select(pair => $"{pair.Key} ({TypeName(pair.Value)}, default {Describe(pair.Value)})"))
          + ", max_episode_steps and wrappers";

    private static string TypeName(object? value) => value switch
    {
        bool => "a bool",
        long => "an integer",
        double => "a number",
        IReadOnlyList<object?> => "a string or a list",
        _ => "a string",
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool flag => flag ? "true" : "false",
        string text => $"'{text}'",
        IReadOnlyList<object?> list => $"[{string.Join(", ", list.Select(Describe))}]",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name,
    };
}
