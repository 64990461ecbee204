using System.Security.Cryptography;
using ZeroGym.Envs.Interop.LibM;

namespace ZeroGym.Envs.Core;

/// <summary>
/// numpy's <c>np.random.default_rng(seed)</c>: a PCG64 generator seeded through <c>SeedSequence</c>, drawing
/// doubles as numpy's <c>Generator.random</c>/<c>uniform</c>/<c>standard_normal</c>/<c>normal</c> do. Gymnasium seeds every env this way, so
/// <c>reset(seed=k)</c> here starts from the same state as Gymnasium's <c>reset(seed=k)</c>.
/// </summary>
public sealed class NumpyRandom
{
    // PCG_DEFAULT_MULTIPLIER_128 of the PCG family, as numpy's pcg64.h defines it.
    private static readonly UInt128 Multiplier = new(0x2360ED051FC65DA4UL, 0x4385DF649FCCF645UL);

    private UInt128 state;
    private readonly UInt128 increment;

    private NumpyRandom(UInt128 seed, UInt128 sequence)
    {
        // pcg_setseq_128_srandom_r
        increment = (sequence << 1) | 1;
        state = 0;
        Advance();
        state += seed;
        Advance();
    }

    /// <summary>The generator of <c>np.random.default_rng(seed)</c>; the seed must be non-negative as numpy requires.</summary>
    public static NumpyRandom FromSeed(long seed)
    {
        if (seed < 0) throw new ArgumentOutOfRangeException(nameof(seed), $"a seed must be a non-negative integer; got {seed}");
        var entropy = new List<uint>();
        ulong rest = (ulong)seed;
        do
        {
            entropy.Add((uint)rest);
            rest >>= 32;
        }
        while (rest != 0);
        return FromEntropyWords(entropy);
    }

    /// <summary>A generator seeded from the operating system, as <c>np.random.default_rng(None)</c>.</summary>
    public static NumpyRandom FromEntropy()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var words = new uint[4];
        for (int i = 0; i < 4; i++) words[i] = BitConverter.ToUInt32(bytes[(i * 4)..]);
        return FromEntropyWords(words);
    }

    /// <summary>Next raw 64-bit output (PCG64 XSL-RR).</summary>
    public ulong NextUInt64()
    {
        Advance();
        ulong high = (ulong)(state >> 64), low = (ulong)state;
        int rotation = (int)(high >> 58);
        return ulong.RotateRight(high ^ low, rotation);
    }

    /// <summary>A double in [0, 1) with 53 random bits, as <c>Generator.random()</c>.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>One draw of <c>Generator.uniform(low, high)</c>.</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Fills <paramref name="destination"/> as <c>Generator.uniform(low, high, size=n)</c> does.</summary>
    public void Uniform(Span<double> destination, double low, double high)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Uniform(low, high);
    }

    /// <summary>
    /// One draw of <c>Generator.standard_normal()</c>: numpy's 256-layer ziggurat for doubles, consuming the same
    /// 64-bit outputs in the same order, so normal and uniform draws interleave exactly as they do in numpy.
    /// </summary>
    public double StandardNormal()
    {
        var acceptBelow = ZigguratTables.AcceptBelow;
        var widths = ZigguratTables.Widths;
        var edgeDensities = ZigguratTables.EdgeDensities;
        while (true)
        {
            // One output supplies the layer (low 8 bits), the sign (next bit) and a 52-bit magnitude.
            ulong bits = NextUInt64();
            int layer = (int)(bits & 0xFF);
            bits >>= 8;
            bool negative = (bits & 1) != 0;
            ulong magnitude = (bits >> 1) & 0x000F_FFFF_FFFF_FFFF;
            double x = magnitude * widths[layer];
            if (negative) x = -x;

            // Inside the layer's rectangle that lies wholly under the curve: accepted (~99.3% of draws).
            if (magnitude < acceptBelow[layer]) return x;

            if (layer == 0)
            {
                // Beyond r in the bottom layer: Marsaglia's exponential tail sampler. numpy takes log1p(-u), i.e.
                // log(1 - u), so that u = 0 is harmless, and the sign from bit 8 of the magnitude.
                while (true)
                {
                    double excess = -ZigguratTables.InverseTailStart * LibM.Log1P(-NextDouble());
                    double exponential = -LibM.Log1P(-NextDouble());
                    if (exponential + exponential > excess * excess)
                    {
                        double tail = ZigguratTables.TailStart + excess;
                        return ((magnitude >> 8) & 1) != 0 ? -tail : tail;
                    }
                }
            }

            // In the wedge between the rectangle and the curve: accept if a uniform height falls under exp(-x²/2),
            // otherwise start over with a fresh output. The operations and their order are numpy's.
            double height = (edgeDensities[layer - 1] - edgeDensities[layer]) * NextDouble() + edgeDensities[layer];
            if (height < Math.Exp(-0.5 * x * x)) return x;
        }
    }

    /// <summary>Fills <paramref name="destination"/> as <c>Generator.standard_normal(size=n)</c> does.</summary>
    public void StandardNormal(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = StandardNormal();
    }

    /// <summary>One draw of <c>Generator.normal(loc, scale)</c>; like numpy, refuses a negative scale.</summary>
    public double Normal(double loc, double scale)
    {
        RequireNonNegativeScale(scale);
        return loc + scale * StandardNormal();
    }

    /// <summary>Fills <paramref name="destination"/> as <c>Generator.normal(loc, scale, size=n)</c> does.</summary>
    public void Normal(Span<double> destination, double loc, double scale)
    {
        RequireNonNegativeScale(scale);
        for (int i = 0; i < destination.Length; i++) destination[i] = loc + scale * StandardNormal();
    }

    private void Advance() => state = state * Multiplier + increment;

    private static void RequireNonNegativeScale(double scale)
    {
        if (scale < 0) throw new ArgumentOutOfRangeException(nameof(scale), $"a normal's scale must be non-negative; got {scale}");
    }

    private static NumpyRandom FromEntropyWords(IReadOnlyList<uint> entropy)
    {
        // PCG64(SeedSequence(entropy)): generate_state(4, uint64) gives seed = (w0, w1), sequence = (w2, w3),
        // each 128-bit value built with its first word as the high half.
        var pool = SeedSequence.MixEntropy(entropy);
        var words = SeedSequence.GenerateState(pool, 8);
        ulong Word64(int i) => words[2 * i] | ((ulong)words[2 * i + 1] << 32);
        return new NumpyRandom(new UInt128(Word64(0), Word64(1)), new UInt128(Word64(2), Word64(3)));
    }

    /// <summary>numpy's <c>SeedSequence</c> (pool size 4) with its hash-mixing constants.</summary>
    private static class SeedSequence
    {
        private const int PoolSize = 4;
        private const uint InitA = 0x43b0d7e5, MultA = 0x931e8875, InitB = 0x8b51f9dd, MultB = 0x58f38ded;
        private const uint MixMultL = 0xca01f9dd, MixMultR = 0x4973f715;
        private const int XShift = 16;

        public static uint[] MixEntropy(IReadOnlyList<uint> entropy)
        {
            var pool = new uint[PoolSize];
            uint hashConst = InitA;
            uint HashMix(uint value)
            {
                value ^= hashConst;
                hashConst *= MultA;
                value *= hashConst;
                return value ^ (value >> XShift);
            }

            static uint Mix(uint x, uint y)
            {
                uint result = MixMultL * x - MixMultR * y;
                return result ^ (result >> XShift);
            }

            for (int i = 0; i < PoolSize; i++) pool[i] = HashMix(i < entropy.Count ? entropy[i] : 0);
            for (int source = 0; source < PoolSize; source++)
            {
                for (int destination = 0; destination < PoolSize; destination++)
                {
                    if (source != destination) pool[destination] = Mix(pool[destination], HashMix(pool[source]));
                }
            }

            for (int source = PoolSize; source < entropy.Count; source++)
            {
                for (int destination = 0; destination < PoolSize; destination++)
                {
                    pool[destination] = Mix(pool[destination], HashMix(entropy[source]));
                }
            }

            return pool;
        }

        public static uint[] GenerateState(uint[] pool, int words)
        {
            var state = new uint[words];
            uint hashConst = InitB;
            for (int i = 0; i < words; i++)
            {
                uint value = pool[i % PoolSize];
                value ^= hashConst;
                hashConst *= MultB;
                value *= hashConst;
                state[i] = value ^ (value >> XShift);
            }

            return state;
        }
    }
}
