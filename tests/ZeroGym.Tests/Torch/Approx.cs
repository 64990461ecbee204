namespace ZeroGym.Tests.Torch;

/// <summary>Element-by-element comparison of floating-point results, naming the first element that differs.</summary>
internal static class Approx
{
    public static void Equal(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double difference = Math.Abs(expected[i] - actual[i]);
            Assert.True(difference <= tolerance,
                $"element {i}: expected {expected[i]:R}, found {actual[i]:R} (difference {difference:E2} > {tolerance:E2})");
        }
    }

    public static void Equal(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance) =>
        Equal(expected.Select(value => (double)value).ToArray(), actual.Select(value => (double)value).ToArray(), tolerance);
}
