using System.Security.Cryptography;

namespace ZeroGym.Envs.Core;

/// <summary>
/// numpy's <c>np.random.default_rng(seed)</c>: a PCG64 generator seeded through <c>SeedSequence</c>, drawing
/// doubles as numpy's <c>Generator.random</c>/<c>uniform</c> do. Gymnasium seeds every env this way, so
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

    private void Advance() => state = state * Multiplier + increment;

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
