using ZeroGym.Arrays;

namespace ZeroGym.Spaces;

/// <summary>The integers start, start+1, ..., start+n-1. As <c>gymnasium.spaces.Discrete</c>; values are <see cref="long"/>.</summary>
public sealed class Discrete : Space
{
    public Discrete(long n, long start = 0)
    {
        if (n <= 0) throw new ArgumentException($"Discrete needs n > 0; got {n}", nameof(n));
        N = n;
        Start = start;
    }

    public long N { get; }

    public long Start { get; }

    public override bool Contains(object? value) => value is long number && number >= Start && number < Start + N;

    public override object Coerce(object? value) => value switch
    {
        long number => number,
        int number => (long)number,
        ulong number when number <= long.MaxValue => (long)number,
        NDArray { Length: 1 } array when array.DType.IsInteger() => array.GetInt64(0),
        _ => throw NotConvertible(value, "an integer"),
    };

    public override object Sample(Random random) => Start + random.NextInt64(N);

    public override bool Equals(Space? other) => other is Discrete discrete && discrete.N == N && discrete.Start == Start;

    public override int GetHashCode() => HashCode.Combine(N, Start);

    public override string ToString() => Start == 0 ? $"Discrete({N})" : $"Discrete({N}, start={Start})";
}
