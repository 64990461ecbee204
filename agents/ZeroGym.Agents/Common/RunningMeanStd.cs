using System.Numerics;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The running mean and variance of a vector over every sample seen, as Gymnasium's RunningMeanStd behind its
/// NormalizeObservation and NormalizeReward wrappers: mean 0, variance 1 and a count of 1e-4 to start with, and each
/// batch merged in with Chan et al.'s parallel formula (the batch's population variance).
/// </summary>
public sealed class RunningMeanStd
{
    /// <summary>The count a fresh statistic starts with (Gymnasium's epsilon), so the first merge is well defined.</summary>
    public const double InitialCount = 1e-4;

    /// <summary>Added to the variance before its square root when normalising (Gymnasium's epsilon).</summary>
    public const double VarianceEpsilon = 1e-8;

    private readonly double[] mean;
    private readonly double[] variance;
    private readonly double[] batchMean;
    private readonly double[] batchVariance;

    /// <summary>A fresh statistic of vectors of <paramref name="size"/> values.</summary>
    public RunningMeanStd(int size)
        : this(new double[size], Enumerable.Repeat(1.0, size).ToArray(), InitialCount)
    {
    }

    private RunningMeanStd(double[] mean, double[] variance, double count)
    {
        if (mean.Length == 0 || mean.Length != variance.Length)
        {
            throw new ArgumentException($"a running statistic needs as many variances as means, at least one; got {mean.Length} means and {variance.Length} variances");
        }

        this.mean = mean;
        this.variance = variance;
        Count = count;
        batchMean = new double[mean.Length];
        batchVariance = new double[mean.Length];
    }

    /// <summary>What a checkpoint saves of a statistic: mean, variance and count (JSON round-trips them exactly).</summary>
    public sealed record Snapshot(double[] Mean, double[] Variance, double Count);

    /// <summary>Values per sample.</summary>
    public int Size => mean.Length;

    /// <summary>The samples merged so far, plus <see cref="InitialCount"/>.</summary>
    public double Count { get; private set; }

    /// <summary>The current mean, per value (a copy).</summary>
    public double[] Mean => (double[])mean.Clone();

    /// <summary>The current (population) variance, per value (a copy).</summary>
    public double[] Variance => (double[])variance.Clone();

    /// <summary>The state, to save.</summary>
    public Snapshot Save() => new(Mean, Variance, Count);

    /// <summary>A statistic that continues exactly where the saved one was.</summary>
    public static RunningMeanStd Load(Snapshot snapshot) =>
        new((double[])snapshot.Mean.Clone(), (double[])snapshot.Variance.Clone(), snapshot.Count);

    /// <summary>Merges <paramref name="samples"/> (float32 observations, float64 returns...): rows of <see cref="Size"/>
    /// values, row-major.</summary>
    public void Update<T>(ReadOnlySpan<T> samples) where T : unmanaged, INumberBase<T>
    {
        int rows = Rows(samples.Length);
        Array.Clear(batchMean);
        Array.Clear(batchVariance);
        for (int k = 0; k < samples.Length; k++) batchMean[k % mean.Length] += double.CreateTruncating(samples[k]);
        for (int j = 0; j < mean.Length; j++) batchMean[j] /= rows;
        for (int k = 0; k < samples.Length; k++)
        {
            double deviation = double.CreateTruncating(samples[k]) - batchMean[k % mean.Length];
            batchVariance[k % mean.Length] += deviation * deviation;
        }

        Merge(rows);
    }

    /// <summary>
    /// Writes (x − mean) / √(variance + 1e-8), limited to ±<paramref name="clip"/>, for every row of
    /// <paramref name="samples"/> into <paramref name="destination"/> (which may be the same memory).
    /// </summary>
    public void Normalize(ReadOnlySpan<float> samples, Span<float> destination, double clip)
    {
        Rows(samples.Length);
        if (destination.Length != samples.Length)
        {
            throw new ArgumentException($"expected room for {samples.Length} normalised values; got {destination.Length}", nameof(destination));
        }

        for (int k = 0; k < samples.Length; k++)
        {
            int j = k % mean.Length;
            destination[k] = (float)Math.Clamp((samples[k] - mean[j]) / Math.Sqrt(variance[j] + VarianceEpsilon), -clip, clip);
        }
    }

    /// <summary>
    /// <paramref name="value"/> scaled by the statistic's (first) standard deviation, x / √(variance + 1e-8), limited
    /// to ±<paramref name="clip"/>: Gymnasium's NormalizeReward, whose statistic is of the discounted return.
    /// </summary>
    public double Scale(double value, double clip) => Math.Clamp(value / Math.Sqrt(variance[0] + VarianceEpsilon), -clip, clip);

    private int Rows(int length)
    {
        if (length == 0 || length % mean.Length != 0)
        {
            throw new ArgumentException($"expected whole rows of {mean.Length} values; got {length} values");
        }

        return length / mean.Length;
    }

    /// <summary>Chan et al.: merges the batch moments left in batchMean and batchVariance (a sum of squares) of <paramref name="rows"/> samples.</summary>
    private void Merge(int rows)
    {
        double total = Count + rows;
        for (int j = 0; j < mean.Length; j++)
        {
            double delta = batchMean[j] - mean[j];
            double squares = variance[j] * Count + batchVariance[j] + delta * delta * Count * rows / total;
            mean[j] += delta * rows / total;
            variance[j] = squares / total;
        }

        Count = total;
    }
}
