using ZeroGym.Envs.Core;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// NumpyRandom against numpy 1.24.2. Every expected value below was printed by `/usr/bin/python3` with
/// `np.random.default_rng(seed)` followed by `.random()`, `.uniform(-0.05, 0.05, size=(4,))` or
/// `.bit_generator.random_raw(2)` (each on a fresh generator), using `repr` so the decimal text round-trips to
/// the same double; they must match bit for bit.
/// </summary>
public class NumpyRandomTests
{
    public static TheoryData<long, double> FirstRandom => new()
    {
        { 0, 0.6369616873214543 },
        { 1, 0.5118216247002567 },
        { 42, 0.7739560485559633 },
        { 1L << 32, 0.8897387912781343 },
        { 1L << 40, 0.3608095734199638 },
        { long.MaxValue, 0.1754661243027813 },
    };

    public static TheoryData<long, double[]> FirstUniform => new()
    {
        { 0, [0.013696168732145436, -0.02302132862361297, -0.045902647606380534, -0.04834723644714709] },
        { 1, [0.0011821624700256717, 0.045046369632593536, -0.03558403872803663, 0.04486494471372439] },
        { 42, [0.027395604855596334, -0.006112156024794771, 0.03585979199113824, 0.019736802905936393] },
        { 1L << 32, [0.03897387912781343, 0.005713805020622631, 0.03009080868919721, 0.04565138174753386] },
        { 1L << 40, [-0.013919042658003623, 0.012824024781109847, 0.04952293578054577, -0.03422782974515198] },
        { long.MaxValue, [-0.03245338756972187, -0.0030071348598490893, 0.03250374441530689, -0.01950673637833297] },
    };

    public static TheoryData<long, ulong, ulong> FirstRawOutputs => new()
    {
        { 0, 0xA30FEBCFD9C2825FUL, 0x4510BDF882D9D721UL },
        { 1, 0x8306BDF37922E4FFUL, 0xF35196BBC152A866UL },
        { 42, 0xC621FBCD16D92688UL, 0x705A5661A791FFC1UL },
        { 1L << 32, 0xE3C5EBE285AC1625UL, 0x8EA09968FE31DBCCUL },
        { 1L << 40, 0x5C5E0425EC260D81UL, 0xA0D45A56612DB3E2UL },
        { long.MaxValue, 0x2CEB59116FB27514UL, 0x784D3E7D390DC57CUL },
    };

    [Theory]
    [MemberData(nameof(FirstRandom))]
    public void NextDouble_AfterSeeding_MatchesNumpyRandom(long seed, double expected)
    {
        Assert.Equal(expected, NumpyRandom.FromSeed(seed).NextDouble());
    }

    [Theory]
    [MemberData(nameof(FirstUniform))]
    public void Uniform_OfFourValues_MatchesNumpyUniform(long seed, double[] expected)
    {
        var drawn = new double[4];
        NumpyRandom.FromSeed(seed).Uniform(drawn, -0.05, 0.05);
        Assert.Equal(expected, drawn);
    }

    [Theory]
    [MemberData(nameof(FirstRawOutputs))]
    public void NextUInt64_AfterSeeding_MatchesPcg64RawOutput(long seed, ulong first, ulong second)
    {
        var random = NumpyRandom.FromSeed(seed);
        Assert.Equal(first, random.NextUInt64());
        Assert.Equal(second, random.NextUInt64());
    }

    [Fact]
    public void NextDouble_OverTenThousandDraws_StaysInStepWithNumpy()
    {
        // d = np.random.default_rng(2024).random(10000); the draws at these indices.
        var expected = new Dictionary<int, double>
        {
            [0] = 0.6758313379812818,
            [1] = 0.21432320123825765,
            [2] = 0.3094520308816917,
            [100] = 0.2090192612295143,
            [1000] = 0.9365799006821883,
            [9999] = 0.34677514646474383,
        };
        var random = NumpyRandom.FromSeed(2024);
        for (int i = 0; i < 10000; i++)
        {
            double drawn = random.NextDouble();
            if (expected.TryGetValue(i, out double value)) Assert.Equal(value, drawn);
        }
    }

    [Fact]
    public void Uniform_WithOtherBounds_MatchesNumpy()
    {
        // np.random.default_rng(7).uniform(0.5, 0.75, size=(4,))
        var drawn = new double[4];
        NumpyRandom.FromSeed(7).Uniform(drawn, 0.5, 0.75);
        Assert.Equal([0.6562738666511667, 0.7243034502423938, 0.6939214225612984, 0.556301797497648], drawn);
    }

    [Fact]
    public void FromSeed_WithNegativeSeed_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => NumpyRandom.FromSeed(-1));
        Assert.Contains("-1", error.Message);
    }

    [Fact]
    public void FromEntropy_TwoGenerators_DrawDifferentStreams()
    {
        // Equal 64-bit outputs from two entropy-seeded generators would take a 2^-64 coincidence.
        Assert.NotEqual(NumpyRandom.FromEntropy().NextUInt64(), NumpyRandom.FromEntropy().NextUInt64());
    }
}
