using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The env's kwargs of a run (<c>--env-kwarg NAME=VALUE</c>), kept in config.json as JSON values and sent with
/// every <c>make</c> of the run, its evaluation and <c>play</c>: e.g. <c>wrappers=mario</c>,
/// <c>actions='[["right"],["right","A"]]'</c>.
/// </summary>
public static class EnvKwargs
{
    /// <summary>
    /// <paramref name="defaults"/> with <paramref name="assignments"/> on top; each is <c>name=value</c> with the value
    /// as JSON (a bare word is a string; <c>null</c> removes the kwarg, so the env uses its own default).
    /// </summary>
    public static Dictionary<string, JsonElement> Parse(IEnumerable<string> assignments, IReadOnlyDictionary<string, JsonElement>? defaults = null)
    {
        var kwargs = new Dictionary<string, JsonElement>(defaults ?? new Dictionary<string, JsonElement>());
        foreach (string assignment in assignments)
        {
            int equals = assignment.IndexOf('=');
            if (equals <= 0) throw new AgentException($"--env-kwarg takes NAME=VALUE, e.g. --env-kwarg wrappers=mario; got '{assignment}'");
            string name = assignment[..equals];
            // null takes a kwarg back out (one of the algorithm's defaults), so the env uses its own default.
            if (JsonValueOrWord(assignment[(equals + 1)..]) is { } value) kwargs[name] = JsonSerializer.SerializeToElement(value);
            else kwargs.Remove(name);
        }

        return kwargs;
    }

    /// <summary>A command-line value as JSON: <c>3</c>, <c>true</c>, <c>[1,2]</c> as written, anything else as a string.</summary>
    public static JsonNode? JsonValueOrWord(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>The kwargs as the client sends them (strings, numbers, booleans, lists, maps); null when there are none.</summary>
    public static Dictionary<string, object?>? ToWire(IReadOnlyDictionary<string, JsonElement>? kwargs) =>
        kwargs is null || kwargs.Count == 0 ? null : kwargs.ToDictionary(pair => pair.Key, pair => ToWire(pair.Value));

    /// <summary>Whether two runs' kwargs are the same (as JSON).</summary>
    public static bool AreEqual(IReadOnlyDictionary<string, JsonElement>? left, IReadOnlyDictionary<string, JsonElement>? right) =>
        Describe(left) == Describe(right);

    /// <summary>The kwargs as one line, e.g. <c>wrappers=mario actions=[["right"]]</c>; "none" when empty.</summary>
    public static string Describe(IReadOnlyDictionary<string, JsonElement>? kwargs) =>
        kwargs is null || kwargs.Count == 0
            ? "none"
            : string.Join(" ", kwargs.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={JsonSerializer.Serialize(pair.Value)}"));

    private static object? ToWire(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out long integer) ? integer : (object)value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Array => value.EnumerateArray().Select(ToWire).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(property => property.Name, property => ToWire(property.Value)),
        _ => throw new AgentException($"an env kwarg cannot be {value.ValueKind}: {value.GetRawText()}"),
    };
}
