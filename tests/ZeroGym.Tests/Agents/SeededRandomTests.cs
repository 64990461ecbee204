using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class SeededRandomTests
{
    [Fact]
    public void Outputs_MatchTheXoshiro256StarStarReferenceSequence()
    {
        // The reference generator's first outputs from the state {1, 2, 3, 4}; NextDouble keeps their top 53 bits.
        ulong[] reference = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600];
        var random = SeededRandom.FromState("xoshiro256**:" + string.Concat(new[] { 1, 2, 3, 4 }.Select(word => word.ToString("x16"))));

        foreach (ulong output in reference)
        {
            Assert.Equal((output >> 11) * (1.0 / (1UL << 53)), random.NextDouble());
        }
    }

    [Fact]
    public void SameSeed_GivesTheSameSequence_AndAnotherSeedAnother()
    {
        var first = new SeededRandom(42);
        var second = new SeededRandom(42);
        var other = new SeededRandom(43);

        var a = Enumerable.Range(0, 50).Select(_ => first.NextInt64(long.MaxValue)).ToList();
        var b = Enumerable.Range(0, 50).Select(_ => second.NextInt64(long.MaxValue)).ToList();
        var c = Enumerable.Range(0, 50).Select(_ => other.NextInt64(long.MaxValue)).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void RestoredState_ContinuesTheSameSequence()
    {
        var random = new SeededRandom(7);
        for (int i = 0; i < 123; i++) random.NextGaussian();
        string state = random.SaveState();

        var restored = SeededRandom.FromState(state);

        for (int i = 0; i < 200; i++)
        {
            Assert.Equal(random.NextDouble(), restored.NextDouble());
            Assert.Equal(random.Next(10), restored.Next(10));
            Assert.Equal(random.NextInt64(1L << 40), restored.NextInt64(1L << 40));
            Assert.Equal(random.NextGaussian(), restored.NextGaussian());
        }

        Assert.Equal(random.SaveState(), restored.SaveState());
    }

    [Fact]
    public void Next_IsUniformOverItsRange()
    {
        var random = new SeededRandom(1);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[random.Next(7)]++;

        // Each value expects 10,000 draws; the binomial standard deviation is about 93.
        Assert.All(counts, count => Assert.InRange(count, 9_500, 10_500));
    }

    [Fact]
    public void NextDouble_StaysInTheUnitInterval_WithMeanOneHalf()
    {
        var random = new SeededRandom(2);
        var values = Enumerable.Range(0, 50_000).Select(_ => random.NextDouble()).ToList();

        Assert.All(values, value => Assert.InRange(value, 0.0, Math.BitDecrement(1.0)));
        Assert.InRange(values.Average(), 0.49, 0.51);
    }

    [Fact]
    public void NextGaussian_HasMeanZeroAndVarianceOne()
    {
        var random = new SeededRandom(3);
        var values = Enumerable.Range(0, 50_000).Select(_ => random.NextGaussian()).ToList();
        double mean = values.Average();
        double variance = values.Sum(value => (value - mean) * (value - mean)) / values.Count;

        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
    }

    [Fact]
    public void FillGaussian_HasMeanZeroVarianceOne_AndUncorrelatedNeighbours()
    {
        var random = new SeededRandom(3);
        var values = new float[50_001]; // odd: the last value comes from a pair of its own
        random.FillGaussian(values);
        double mean = values.Average(value => (double)value);
        double variance = values.Sum(value => (value - mean) * (value - mean)) / values.Length;
        // Both outputs of one Box–Muller pair are independent: the product of neighbours averages 0.
        double neighbours = Enumerable.Range(0, values.Length / 2).Average(i => (double)values[2 * i] * values[2 * i + 1]);

        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.97, 1.03);
        Assert.InRange(neighbours, -0.02, 0.02);
        Assert.NotEqual(0f, values[^1]);
        // A restored state fills the same values.
        var again = SeededRandom.FromState(new SeededRandom(3).SaveState());
        var copy = new float[values.Length];
        again.FillGaussian(copy);
        Assert.Equal(values, copy);
    }

    [Fact]
    public void Shuffle_IsAPermutation_ThatTheSavedStateRepeats()
    {
        var random = new SeededRandom(11);
        string state = random.SaveState();
        int[] first = [.. Enumerable.Range(0, 100)];
        int[] second = [.. Enumerable.Range(0, 100)];

        random.Shuffle<int>(first);
        SeededRandom.FromState(state).Shuffle<int>(second);

        Assert.Equal(first, second);
        Assert.Equal(Enumerable.Range(0, 100), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), first);
    }

    [Fact]
    public void Shuffle_PutsEachItemInEachPlaceEquallyOften()
    {
        var random = new SeededRandom(12);
        var counts = new int[3, 3];
        for (int round = 0; round < 30_000; round++)
        {
            int[] items = [0, 1, 2];
            random.Shuffle<int>(items);
            for (int place = 0; place < 3; place++) counts[items[place], place]++;
        }

        // 10,000 expected per cell; a binomial standard deviation is about 82.
        foreach (int count in counts) Assert.InRange(count, 9_600, 10_400);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pcg64:0000000000000001000000000000000200000000000000030000000000000004")]
    [InlineData("xoshiro256**:00000000000000010000000000000002")]
    [InlineData("xoshiro256**:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("xoshiro256**:zz00000000000001000000000000000200000000000000030000000000000004")]
    public void FromState_OfSomethingElse_SaysWhatAStateLooksLike(string state)
    {
        var error = Assert.Throws<FormatException>(() => SeededRandom.FromState(state));

        Assert.Contains("64 hex digits", error.Message);
    }
}
