namespace ZeroGym.Spaces;

/// <summary>Sub-spaces by position. Values are <c>IReadOnlyList&lt;object&gt;</c>. As <c>gymnasium.spaces.Tuple</c>.</summary>
public sealed class TupleSpace : Space
{
    public TupleSpace(IEnumerable<Space> spaces) => Spaces = spaces.ToList();

    public IReadOnlyList<Space> Spaces { get; }

    public override bool Contains(object? value) =>
        value is IReadOnlyList<object> items && items.Count == Spaces.Count && Spaces.Zip(items).All(pair => pair.First.Contains(pair.Second));

    public override object Coerce(object? value)
    {
        if (value is not System.Collections.IList items || items.Count != Spaces.Count)
        {
            throw NotConvertible(value, $"a list of {Spaces.Count} items");
        }

        var result = new object[Spaces.Count];
        for (int i = 0; i < result.Length; i++) result[i] = Spaces[i].Coerce(items[i]);
        return result;
    }

    public override object Sample(Random random) => Spaces.Select(space => space.Sample(random)).ToArray();

    public override bool Equals(Space? other) =>
        other is TupleSpace tuple && tuple.Spaces.Count == Spaces.Count && tuple.Spaces.Zip(Spaces).All(pair => pair.First.Equals(pair.Second));

    public override int GetHashCode() => Spaces.Count;

    public override string ToString() => "Tuple(" + string.Join(", ", Spaces) + ")";
}
