using System.Globalization;
using ZeroGym.Envs.Core;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// NumpyRandom's normal draws against numpy 1.24.2, bit for bit. The embedded values were printed by
/// `/usr/bin/python3` with `repr` from `np.random.default_rng(seed)`; the long comparisons run
/// tests/interop/numpy_normal.py at test time, which prints each double's IEEE bits.
/// </summary>
public class NumpyNormalTests
{
    private const string Python = "/usr/bin/python3";

    public static TheoryData<long, double[]> FirstStandardNormals => new()
    {
        { 0, [0.1257302210933933, -0.1321048632913019, 0.6404226504432821, 0.10490011715303971] },
        { 1, [0.345584192064786, 0.8216181435011584, 0.33043707618338714, -1.303157231604361] },
        { 42, [0.30471707975443135, -1.0399841062404955, 0.7504511958064572, 0.9405647163912139] },
    };

    /// <summary>
    /// Draws that leave the ziggurat's fast path, found with the script's output counts: a wedge test passed at
    /// once (2 outputs), a wedge rejection followed by a fresh draw (3 outputs), and tail draws beyond r. The last
    /// two came from a scan of 6 million draws for tail draws whose value depends on computing log1p(-u) rather
    /// than log(1 - u) (13 of 1546).
    /// </summary>
    public static TheoryData<string, long, int, double> DrawsOffTheFastPath => new()
    {
        { "wedge", 0, 126, -1.4227417685154136 },
        { "wedge", 42, 154, -0.05378255081832049 },
        { "wedge rejection", 0, 74, 1.8220113633283233 },
        { "wedge rejection", 42, 41, 0.543154268305195 },
        { "tail", 0, 303, -3.772275156122734 },
        { "tail", 42, 5627, -4.389114584864837 },
        // Tail draws where log1p(-u) and log(1 - u) differ in the last bit of the result: numpy uses log1p.
        { "tail, log1p", 0, 241877, -3.7380522214221896 },
        { "tail, log1p", 1, 594851, -3.792361296352374 },
    };

    [Theory]
    [MemberData(nameof(FirstStandardNormals))]
    public void StandardNormal_AfterSeeding_MatchesNumpy(long seed, double[] expected)
    {
        var drawn = new double[4];
        NumpyRandom.FromSeed(seed).StandardNormal(drawn);
        Assert.Equal(expected, drawn);
    }

    [Theory]
    [MemberData(nameof(DrawsOffTheFastPath))]
    public void StandardNormal_OffTheFastPath_MatchesNumpy(string path, long seed, int index, double expected)
    {
        var random = NumpyRandom.FromSeed(seed);
        for (int i = 0; i < index; i++) random.StandardNormal();
        Assert.True(expected == random.StandardNormal(), $"{path} draw {index} of seed {seed}");
    }

    [Fact]
    public void StandardNormal_AfterUniformDraws_ContinuesAsNumpyDoesInHalfCheetahReset()
    {
        // g = np.random.default_rng(0); g.uniform(-0.1, 0.1, size=9); g.standard_normal(9)
        var random = NumpyRandom.FromSeed(0);
        var positions = new double[9];
        var velocities = new double[9];
        random.Uniform(positions, -0.1, 0.1);
        random.StandardNormal(velocities);
        Assert.Equal(
            [0.027392337464290872, -0.04604265724722594, -0.09180529521276107, -0.09669447289429418, 0.06265404784005449,
             0.08255111545554436, 0.021327155153435973, 0.045899312196799685, 0.008724998293084568],
            positions);
        Assert.Equal(
            [-1.2654214710460525, -0.6232744625373522, 0.0413259793472436, -2.3250307746388343, -0.21879166393254573,
             -1.2459109472530652, -0.7322673547034516, -0.5442589828573099, -0.31630015636915454],
            velocities);
    }

    [Fact]
    public void Normal_WithLocAndScale_MatchesNumpy()
    {
        // np.random.default_rng(7).normal(0.5, 2.0, size=3)
        var drawn = new double[3];
        NumpyRandom.FromSeed(7).Normal(drawn, 0.5, 2.0);
        Assert.Equal([0.5024603067149651, 1.0974910750169398, -0.04827571072443515], drawn);
    }

    [Fact]
    public void Normal_WithNegativeScale_Throws()
    {
        var random = NumpyRandom.FromSeed(0);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => random.Normal(0, -1.5));
        Assert.Contains("-1.5", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Normal(new double[2], 0, -1.5));
    }

    [Fact]
    public void StandardNormal_Over144kDrawsOfTwelveSeeds_MatchesNumpyBitForBit()
    {
        const int count = 12_000;
        long[] seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42, 1L << 32];
        var expected = NumpyDraws(count, seeds);
        Assert.Equal(seeds, expected.Keys);

        int tail = 0, wedge = 0, rejected = 0;
        foreach (long seed in seeds)
        {
            var draws = expected[seed];
            Assert.Equal(count, draws.Length);

            // Half the seeds through the span overload, half one draw at a time: both must follow numpy.
            var random = NumpyRandom.FromSeed(seed);
            var drawn = new double[count];
            if (seed % 2 == 0) random.StandardNormal(drawn);
            else for (int i = 0; i < count; i++) drawn[i] = random.StandardNormal();

            for (int i = 0; i < count; i++)
            {
                ulong actual = BitConverter.DoubleToUInt64Bits(drawn[i]);
                if (actual != draws[i].Bits)
                {
                    Assert.Fail(
                        $"seed {seed}, draw {i}: numpy drew {Describe(draws[i].Bits)}, NumpyRandom drew {Describe(actual)}");
                }

                if (Math.Abs(drawn[i]) > ZigguratTables.TailStart) tail++;
                else if (draws[i].Outputs == 2) wedge++;
                else if (draws[i].Outputs >= 3) rejected++;
            }
        }

        // The comparison must have covered every branch of the ziggurat, not only its fast path.
        Assert.True(tail >= 30, $"expected at least 30 tail draws, found {tail}");
        Assert.True(wedge >= 1000, $"expected at least 1000 draws accepted in a wedge, found {wedge}");
        Assert.True(rejected >= 500, $"expected at least 500 draws after a wedge rejection, found {rejected}");
    }

    [Fact]
    public void InterleavedUniformAndNormalDraws_OverAThousandRounds_MatchNumpyBitForBit()
    {
        const int rounds = 1000;
        string[] lines = RunScript(["interleaved", "2024", Invariant(rounds)]);
        Assert.Equal(rounds, lines.Length);

        var random = NumpyRandom.FromSeed(2024);
        var uniform = new double[9];
        var standardNormal = new double[9];
        var normal = new double[3];
        int tail = 0;
        for (int round = 0; round < rounds; round++)
        {
            random.Uniform(uniform, -0.1, 0.1);
            random.StandardNormal(standardNormal);
            random.Normal(normal, 0.5, 2.0);
            double single = random.NextDouble();
            tail += standardNormal.Count(x => Math.Abs(x) > ZigguratTables.TailStart);

            string actual = string.Join(' ', Format("uniform", uniform), Format("standard_normal", standardNormal),
                Format("normal", normal), Format("random", [single]));
            Assert.True(lines[round] == actual, $"round {round}: numpy drew\n{lines[round]}\nNumpyRandom drew\n{actual}");
        }

        // A tail draw consumes extra outputs; the uniforms after it prove the stream stayed in step.
        Assert.True(tail >= 1, $"expected the interleaved sequence to reach the tail, found {tail} tail draws");
    }

    [Fact]
    public void ZigguratTables_Layers_FollowTheNormalDensity()
    {
        // Edge x_i = Widths[i] * 2^52 for i >= 1; EdgeDensities[i] = exp(-x_i^2/2); AcceptBelow[i] = 2^52 x_(i-1)/x_i.
        const double twoTo52 = 4503599627370496.0;
        var widths = ZigguratTables.Widths;
        var densities = ZigguratTables.EdgeDensities;
        var acceptBelow = ZigguratTables.AcceptBelow;
        Assert.Equal(256, widths.Length);
        Assert.Equal(256, densities.Length);
        Assert.Equal(256, acceptBelow.Length);
        Assert.Equal(1.0, densities[0]);
        Assert.Equal(0UL, acceptBelow[1]);
        Assert.Equal(ZigguratTables.TailStart, widths[255] * twoTo52, 1e-15);
        Assert.Equal(1 / ZigguratTables.TailStart, ZigguratTables.InverseTailStart, 1e-16);
        Assert.Equal(ZigguratTables.TailStart, acceptBelow[0] * widths[0], 1e-15);
        for (int i = 1; i < 256; i++)
        {
            double edge = widths[i] * twoTo52;
            double density = Math.Exp(-0.5 * edge * edge);
            Assert.True(Math.Abs(densities[i] - density) <= 1e-15 * density, $"density of layer {i}");
            if (i >= 2)
            {
                double ratio = widths[i - 1] / widths[i];
                Assert.True(Math.Abs(acceptBelow[i] / twoTo52 - ratio) <= 1e-15, $"acceptance bound of layer {i}");
            }
        }
    }

    /// <summary>Per seed, numpy's draws as IEEE bits and the PCG64 outputs each consumed.</summary>
    private static Dictionary<long, (ulong Bits, int Outputs)[]> NumpyDraws(int count, long[] seeds)
    {
        string[] arguments = ["draws", Invariant(count), .. seeds.Select(seed => Invariant(seed))];
        return RunScript(arguments)
            .Select(line => line.Split(' '))
            .GroupBy(fields => long.Parse(fields[0], CultureInfo.InvariantCulture))
            .ToDictionary(
                group => group.Key,
                group => group.Select(fields => (ParseBits(fields[2]), int.Parse(fields[3], CultureInfo.InvariantCulture))).ToArray());
    }

    private static string[] RunScript(IEnumerable<string> arguments)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException(
                $"expected {Python} (Debian's python3 with numpy: apt-get install python3-numpy), found no such file");
        }

        string script = Path.Combine(RepositoryRoot.Path, "tests", "interop", "numpy_normal.py");
        return ExternalProcess.Run(Python, [script, .. arguments], RepositoryRoot.Path)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static ulong ParseBits(string hex) => ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static string Describe(ulong bits) =>
        $"{BitConverter.UInt64BitsToDouble(bits).ToString("R", CultureInfo.InvariantCulture)} (bits {bits:x16})";

    private static string Format(string kind, double[] values) =>
        $"{kind}:{string.Join(',', values.Select(value => BitConverter.DoubleToUInt64Bits(value).ToString("x16")))}";
}
