using System.Globalization;
using System.Numerics;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A seedable pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose whole state can be saved in a
/// checkpoint and restored, so a resumed run draws exactly the numbers an uninterrupted one would have drawn.
/// <see cref="System.Random"/> cannot do that.
/// </summary>
public sealed class SeededRandom
{
    private const string StatePrefix = "xoshiro256**:";
    private ulong s0, s1, s2, s3;

    /// <summary>A generator whose sequence depends only on <paramref name="seed"/>.</summary>
    public SeededRandom(long seed)
    {
        ulong mix = (ulong)seed;
        s0 = SplitMix64(ref mix);
        s1 = SplitMix64(ref mix);
        s2 = SplitMix64(ref mix);
        s3 = SplitMix64(ref mix);
    }

    private SeededRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        (this.s0, this.s1, this.s2, this.s3) = (s0, s1, s2, s3);
    }

    /// <summary>A uniform double in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)Below((ulong)maxExclusive);
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public long NextInt64(long maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (long)Below((ulong)maxExclusive);
    }

    /// <summary>A standard normal sample (Box–Muller; each call consumes two uniforms, so no state is cached).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // in (0, 1], so the logarithm is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with standard normal samples, two per pair of uniforms (both outputs of
    /// Box–Muller, half the cost of <see cref="NextGaussian"/> per sample); an odd last element uses a pair alone.
    /// </summary>
    public void FillGaussian(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i += 2)
        {
            double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - NextDouble()));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * NextDouble());
            destination[i] = (float)(radius * cos);
            if (i + 1 < destination.Length) destination[i + 1] = (float)(radius * sin);
        }
    }

    /// <summary>Puts <paramref name="items"/> in a uniformly random order, in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The whole state as text, for <see cref="FromState"/>.</summary>
    public string SaveState() => string.Create(CultureInfo.InvariantCulture, $"{StatePrefix}{s0:x16}{s1:x16}{s2:x16}{s3:x16}");

    /// <summary>A generator that continues exactly where the one that wrote <paramref name="state"/> was.</summary>
    public static SeededRandom FromState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var words = new ulong[4];
        bool valid = state.StartsWith(StatePrefix, StringComparison.Ordinal) && state.Length == StatePrefix.Length + 64;
        for (int i = 0; valid && i < 4; i++)
        {
            valid = ulong.TryParse(state.AsSpan(StatePrefix.Length + 16 * i, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out words[i]);
        }

        if (!valid || (words[0] | words[1] | words[2] | words[3]) == 0)
        {
            throw new FormatException($"a SeededRandom state is '{StatePrefix}' followed by 64 hex digits, not all zero; got '{state}'");
        }

        return new SeededRandom(words[0], words[1], words[2], words[3]);
    }

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    private ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong shifted = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= shifted;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform integer below <paramref name="bound"/> without modulo bias (Lemire's multiply-and-reject).</summary>
    private ulong Below(ulong bound)
    {
        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold) high = Math.BigMul(NextUInt64(), bound, out low);
        }

        return high;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
