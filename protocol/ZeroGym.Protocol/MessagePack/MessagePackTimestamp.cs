namespace ZeroGym.Protocol.MessagePack;

/// <summary>
/// The MessagePack timestamp (extension type -1): seconds since 1970-01-01T00:00:00Z plus nanoseconds, with
/// the full range of the 96-bit form (negative seconds are before 1970).
/// </summary>
/// <param name="Seconds">Whole seconds since the Unix epoch.</param>
/// <param name="Nanoseconds">Added to <paramref name="Seconds"/>; 0 to 999,999,999.</param>
public readonly record struct MessagePackTimestamp(long Seconds, uint Nanoseconds)
{
    internal const uint NanosecondsPerSecond = 1_000_000_000;
    private const long NanosecondsPerTick = 100;
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public long Seconds { get; } = Seconds;

    public uint Nanoseconds { get; } = Nanoseconds < NanosecondsPerSecond
        ? Nanoseconds
        : throw new ArgumentOutOfRangeException(nameof(Nanoseconds), Nanoseconds, "expected 0 to 999,999,999 nanoseconds");

    /// <summary>The same instant at offset zero, truncated to the 100 ns ticks .NET can hold.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant lies outside the years 1 to 9999.</exception>
    public DateTimeOffset ToDateTimeOffset()
    {
        if (Seconds < MinSeconds || Seconds > MaxSeconds)
        {
            throw new ArgumentOutOfRangeException(
                nameof(Seconds), Seconds, $"expected {MinSeconds} to {MaxSeconds} seconds (years 1 to 9999) to fit a DateTimeOffset");
        }

        return DateTimeOffset.UnixEpoch.AddTicks(Seconds * TimeSpan.TicksPerSecond + Nanoseconds / NanosecondsPerTick);
    }

    /// <summary>The instant of <paramref name="value"/>, whatever its offset.</summary>
    public static MessagePackTimestamp FromDateTimeOffset(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            // Before 1970 the nanoseconds still count forward from a whole second.
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return new MessagePackTimestamp(seconds, (uint)(remainder * NanosecondsPerTick));
    }
}
