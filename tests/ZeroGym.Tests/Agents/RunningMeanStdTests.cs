using System.Text.Json;
using ZeroGym.Agents.Common;

namespace ZeroGym.Tests.Agents;

public sealed class RunningMeanStdTests
{
    /// <summary>Rows of two values: the second column's spread is 100 times the first's.</summary>
    private static float[] Samples(int rows, int seed)
    {
        var random = new SeededRandom(seed);
        var samples = new float[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            samples[2 * r] = (float)(3 + random.NextGaussian());
            samples[2 * r + 1] = (float)(-50 + 100 * random.NextGaussian());
        }

        return samples;
    }

    [Fact]
    public void BatchesMergedOneAfterAnother_GiveTheMeanAndVarianceOfAllSamples_WithGymnasiumsInitialCount()
    {
        float[] samples = Samples(1_000, seed: 1);
        var statistic = new RunningMeanStd(2);

        // Uneven batches, as the vector env's steps and resets give them.
        foreach (var (start, rows) in new[] { (0, 1), (1, 7), (8, 500), (508, 492) })
        {
            statistic.Update<float>(samples.AsSpan(2 * start, 2 * rows));
        }

        // Gymnasium's statistic starts from mean 0, variance 1 with a weight of 1e-4 samples.
        for (int j = 0; j < 2; j++)
        {
            double[] column = [.. Enumerable.Range(0, 1_000).Select(r => (double)samples[2 * r + j])];
            double count = 1_000 + RunningMeanStd.InitialCount;
            double mean = column.Sum() / count;
            double squares = RunningMeanStd.InitialCount * (1 + mean * mean) + column.Sum(x => (x - mean) * (x - mean));
            Assert.Equal(mean, statistic.Mean[j], 1e-9);
            Assert.Equal(squares / count, statistic.Variance[j], Math.Abs(squares / count) * 1e-9);
        }

        Assert.Equal(1_000 + RunningMeanStd.InitialCount, statistic.Count, 1e-9);
    }

    [Fact]
    public void Normalize_CentresAndScalesEachColumn_AndClipsToTheGivenRange()
    {
        var statistic = new RunningMeanStd(2);
        statistic.Update<float>(Samples(10_000, seed: 2));

        float[] normalized = new float[4];
        statistic.Normalize([3f, -50f, 3f + 100f, -50f - 100_000f], normalized, clip: 10);

        Assert.Equal(0, normalized[0], 0.05);
        Assert.Equal(0, normalized[1], 0.05);
        Assert.Equal(10f, normalized[2]);   // 100 standard deviations, clipped
        Assert.Equal(-10f, normalized[3]);  // 1,000 standard deviations, clipped
    }

    [Fact]
    public void Scale_DividesByTheStandardDeviation_WithoutCentring()
    {
        var statistic = new RunningMeanStd(1);
        statistic.Update<double>([10, 30, 10, 30]);

        // The variance is very nearly 100: the initial 1e-4 samples barely count.
        double std = Math.Sqrt(statistic.Variance[0] + RunningMeanStd.VarianceEpsilon);
        Assert.Equal(5 / std, statistic.Scale(5, clip: 10), 1e-12);
        Assert.Equal(0.5, statistic.Scale(5, clip: 10), 1e-3);
        Assert.Equal(-10, statistic.Scale(-1_000, clip: 10));
    }

    [Fact]
    public void Snapshot_ThroughJson_ContinuesBitForBit()
    {
        var original = new RunningMeanStd(2);
        original.Update<float>(Samples(333, seed: 3));
        var restored = RunningMeanStd.Load(JsonSerializer.Deserialize<RunningMeanStd.Snapshot>(JsonSerializer.Serialize(original.Save()))!);

        float[] more = Samples(77, seed: 4);
        original.Update<float>(more);
        restored.Update<float>(more);

        Assert.Equal(original.Mean, restored.Mean);
        Assert.Equal(original.Variance, restored.Variance);
        Assert.Equal(original.Count, restored.Count);
    }

    [Fact]
    public void Update_WithAPartialRow_SaysWhatItExpected()
    {
        var statistic = new RunningMeanStd(3);

        var error = Assert.Throws<ArgumentException>(() => statistic.Update<float>([1f, 2f, 3f, 4f]));

        Assert.Equal("expected whole rows of 3 values; got 4 values", error.Message);
    }
}
