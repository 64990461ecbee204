using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// Reset, seeding and reset options. Expected start states were printed by `/usr/bin/python3` with numpy 1.24.2:
/// `np.random.default_rng(seed).uniform(low, high, size=(4,))`, as Gymnasium's CartPole draws them (repr, so exact).
/// </summary>
public class CartPoleResetTests
{
    public static TheoryData<long, double[]> SeededStarts => new()
    {
        { 0, [0.013696168732145436, -0.02302132862361297, -0.045902647606380534, -0.04834723644714709] },
        { 1, [0.0011821624700256717, 0.045046369632593536, -0.03558403872803663, 0.04486494471372439] },
        { 42, [0.027395604855596334, -0.006112156024794771, 0.03585979199113824, 0.019736802905936393] },
    };

    [Theory]
    [MemberData(nameof(SeededStarts))]
    public void Reset_WithSeed_StartsWhereNumpyDraws(long seed, double[] expected)
    {
        var env = new CartPoleEnv();

        var result = env.Reset(seed);

        Assert.Equal(expected, StateOf(env));
        Assert.Equal(expected.Select(value => (float)value).ToArray(), Floats(result.Observation));
        Assert.Empty(result.Info);
    }

    [Fact]
    public void Reset_WithTheSameSeedTwice_StartsTheSame()
    {
        var env = new CartPoleEnv();
        var first = Floats(env.Reset(seed: 7).Observation);
        env.Step(1L);

        var second = Floats(env.Reset(seed: 7).Observation);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Reset_WithoutSeed_ContinuesTheGenerator()
    {
        // g = np.random.default_rng(42); g.uniform(-0.05, 0.05, size=(4,)); then the second draw of 4:
        double[] secondDraw = [-0.04058226521123505, 0.047562235163675595, 0.026113970199035302, 0.02860643052769539];
        var env = new CartPoleEnv();
        env.Reset(seed: 42);

        env.Reset();

        Assert.Equal(secondDraw, StateOf(env));
    }

    [Fact]
    public void Reset_WithLowAndHigh_MatchesGymnasiumsDocumentedExample()
    {
        // Gymnasium's CartPole docstring: env.reset(seed=123, options={"low": -0.1, "high": 0.1})
        // -> array([ 0.03647037, -0.0892358 , -0.05592803, -0.06312564], dtype=float32)
        var env = new CartPoleEnv();

        var result = env.Reset(seed: 123, Options(("low", -0.1), ("high", 0.1)));

        Assert.Equal([0.036470372649628685, -0.08923579623955546, -0.05592802544547773, -0.06312563786026607], StateOf(env));
        // numpy prints arrays with 8 decimals, so the documented values are rounded to that.
        float[] documented = [0.03647037f, -0.0892358f, -0.05592803f, -0.06312564f];
        var observation = Floats(result.Observation);
        for (int i = 0; i < 4; i++) Assert.Equal(documented[i], observation[i], 5e-9);
    }

    [Fact]
    public void Reset_WithIntegerBoundsOrArrays_ReadsThemAsNumbers()
    {
        // np.random.default_rng(123).uniform(0, 1, size=(4,))
        double[] expected = [0.6823518632481435, 0.053821018802222675, 0.22035987277261138, 0.1843718106986697];
        var fromIntegers = new CartPoleEnv();
        var fromArrays = new CartPoleEnv();

        fromIntegers.Reset(seed: 123, Options(("low", 0L), ("high", 1L)));
        fromArrays.Reset(seed: 123, Options(("low", NDArray.Scalar(0.0f)), ("high", NDArray.From([1], [1]))));

        Assert.Equal(expected, StateOf(fromIntegers));
        Assert.Equal(expected, StateOf(fromArrays));
    }

    [Fact]
    public void Reset_WithOnlyLow_KeepsTheDefaultHigh()
    {
        // np.random.default_rng(9).uniform(-0.01, 0.05, size=(4,))
        var env = new CartPoleEnv();

        env.Reset(seed: 9, Options(("low", -0.01)));

        Assert.Equal([0.04221495223820508, 0.007209032545253324, 0.026188889003093713, 0.036652044975210726], StateOf(env));
    }

    [Fact]
    public void Reset_WithStateOption_StartsExactlyThereWithoutDrawing()
    {
        var env = new CartPoleEnv();
        var twin = new CartPoleEnv();
        env.Reset(seed: 5);
        twin.Reset(seed: 5);

        var result = env.Reset(options: Options(("state", new object?[] { 0.25, -1L, 0.125, 3.0 })));

        Assert.Equal([0.25, -1.0, 0.125, 3.0], StateOf(env));
        Assert.Equal([0.25f, -1f, 0.125f, 3f], Floats(result.Observation));

        // Nothing was drawn, so the next random start is the one the twin draws next.
        env.Reset();
        twin.Reset();
        Assert.Equal(StateOf(twin), StateOf(env));
    }

    [Fact]
    public void Reset_WithStateAsAnArray_StartsExactlyThere()
    {
        var env = new CartPoleEnv();

        env.Reset(options: Options(("state", NDArray.From([0.5, 0.25, -0.125, 1.0]))));

        Assert.Equal([0.5, 0.25, -0.125, 1.0], StateOf(env));
    }

    public static TheoryData<string, object?, string> BadOptions => new()
    {
        { "low", 0.1, "'low' (0.1) must not exceed 'high' (0.05)" },
        { "low", "small", "'low' must be a number; got 'small'" },
        { "high", null, "'high' must be a number; got null" },
        { "high", true, "'high' must be a number" },
        { "low", double.NaN, "finite range" },
        { "high", double.PositiveInfinity, "finite range" },
        { "state", new object?[] { 0.1, 0.2, 0.3 }, "reset option 'state' must be 4 numbers" },
        { "state", new object?[] { 0.1, 0.2, 0.3, "x" }, "reset option 'state' must be 4 numbers" },
        { "state", NDArray.From([1.0, 2.0], [2]), "reset option 'state' must be 4 numbers" },
        { "state", new object?[] { 0.1, double.NaN, 0.3, 0.4 }, "element 1 is NaN" },
        { "gravity", 9.81, "are 'low', 'high' and 'state'; got unknown option 'gravity'" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Reset_WithBadOption_ThrowsAndChangesNothing(string key, object? value, string expectedMessage)
    {
        var env = new CartPoleEnv();
        var twin = new CartPoleEnv();
        env.Reset(seed: 3);
        twin.Reset(seed: 3);
        env.Step(1L);
        twin.Step(1L);

        var error = Assert.Throws<ArgumentException>(() => env.Reset(seed: 99, Options((key, value))));

        Assert.Contains(expectedMessage, error.Message);
        Assert.StartsWith("CartPole-v1 reset option", error.Message);
        Assert.Equal(StateOf(twin), StateOf(env));
        Assert.Equal(Floats(twin.Step(0L).Observation), Floats(env.Step(0L).Observation));

        // Neither was the generator reseeded with 99: the next random start is the twin's.
        env.Reset();
        twin.Reset();
        Assert.Equal(StateOf(twin), StateOf(env));
    }

    [Fact]
    public void Reset_WithStateAndBounds_Throws()
    {
        var env = new CartPoleEnv();

        var error = Assert.Throws<ArgumentException>(() =>
            env.Reset(options: Options(("state", new object?[] { 0.0, 0.0, 0.0, 0.0 }), ("low", -0.1))));

        Assert.Contains("cannot be given with it", error.Message);
    }

    [Fact]
    public void Reset_WithEqualBounds_StartsAtThatValue()
    {
        var env = new CartPoleEnv();

        env.Reset(seed: 1, Options(("low", 0.02), ("high", 0.02)));

        Assert.Equal([0.02, 0.02, 0.02, 0.02], StateOf(env));
    }
}
