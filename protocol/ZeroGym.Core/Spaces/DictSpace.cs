namespace ZeroGym.Spaces;

/// <summary>
/// Named sub-spaces, in order. Values are <c>IReadOnlyDictionary&lt;string, object&gt;</c> with exactly these
/// keys. As <c>gymnasium.spaces.Dict</c>.
/// </summary>
public sealed class DictSpace : Space
{
    public DictSpace(IEnumerable<KeyValuePair<string, Space>> spaces)
    {
        Spaces = spaces.ToList();
        if (Spaces.Select(pair => pair.Key).Distinct().Count() != Spaces.Count) throw new ArgumentException("Dict space keys must be distinct");
    }

    public IReadOnlyList<KeyValuePair<string, Space>> Spaces { get; }

    public override bool Contains(object? value) =>
        value is IReadOnlyDictionary<string, object> map && map.Count == Spaces.Count
        && Spaces.All(pair => map.TryGetValue(pair.Key, out var item) && pair.Value.Contains(item));

    public override object Coerce(object? value)
    {
        var entries = ToStringKeyed(value) ?? throw NotConvertible(value, "a map");
        if (entries.Count != Spaces.Count || Spaces.Any(pair => !entries.ContainsKey(pair.Key)))
        {
            throw NotConvertible(value, $"a map with keys {string.Join(", ", Spaces.Select(pair => pair.Key))}; got keys {string.Join(", ", entries.Keys)}");
        }

        var result = new Dictionary<string, object>();
        foreach (var (key, space) in Spaces) result[key] = space.Coerce(entries[key]);
        return result;
    }

    public override object Sample(Random random)
    {
        var result = new Dictionary<string, object>();
        foreach (var (key, space) in Spaces) result[key] = space.Sample(random);
        return result;
    }

    public override bool Equals(Space? other) =>
        other is DictSpace dict && dict.Spaces.Count == Spaces.Count
        && dict.Spaces.Zip(Spaces).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.Equals(pair.Second.Value));

    public override int GetHashCode() => Spaces.Count;

    public override string ToString() => "Dict(" + string.Join(", ", Spaces.Select(pair => $"'{pair.Key}': {pair.Value}")) + ")";

    private static Dictionary<string, object?>? ToStringKeyed(object? value)
    {
        if (value is not System.Collections.IDictionary map) return null;
        var result = new Dictionary<string, object?>();
        foreach (System.Collections.DictionaryEntry entry in map)
        {
            if (entry.Key is not string key) return null;
            result[key] = entry.Value;
        }

        return result;
    }
}
