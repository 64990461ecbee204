namespace ZeroGym.Transport.Interop.ZeroMQ;

/// <summary>Converts a <see cref="TimeSpan"/> timeout to libzmq's milliseconds, where -1 means "forever".</summary>
internal static class ZmqTime
{
    /// <summary>
    /// -1 for <see cref="Timeout.InfiniteTimeSpan"/>; otherwise whole milliseconds rounded up, so a short
    /// wait does not become no wait at all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative (other than infinite) or above int.MaxValue ms.</exception>
    public static int ToMilliseconds(TimeSpan time, string parameterName)
    {
        if (time == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (time < TimeSpan.Zero || time.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                time,
                $"Expected Timeout.InfiniteTimeSpan or a time from zero to {int.MaxValue} ms, found {time}.");
        }

        return (int)Math.Ceiling(time.TotalMilliseconds);
    }
}
