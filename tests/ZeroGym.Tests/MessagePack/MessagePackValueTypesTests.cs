using ZeroGym.Protocol.MessagePack;

namespace ZeroGym.Tests.MessagePack;

/// <summary>The small value types: timestamps, extensions and limits.</summary>
public class MessagePackValueTypesTests
{
    [Fact]
    public void Timestamp_ToDateTimeOffset_TruncatesToTicks()
    {
        var timestamp = new MessagePackTimestamp(1514862245, 678901234);

        Assert.Equal(new DateTimeOffset(2018, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6789012), timestamp.ToDateTimeOffset());
    }

    [Fact]
    public void Timestamp_FromDateTimeOffset_CountsNanosecondsForwardBefore1970()
    {
        var moment = new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_000_000);

        Assert.Equal(new MessagePackTimestamp(-1, 900_000_000), MessagePackTimestamp.FromDateTimeOffset(moment));
    }

    [Fact]
    public void Timestamp_FromDateTimeOffset_UsesTheInstantWhateverTheOffset()
    {
        var local = new DateTimeOffset(2000, 1, 1, 2, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal(new MessagePackTimestamp(946684800, 0), MessagePackTimestamp.FromDateTimeOffset(local));
    }

    [Fact]
    public void Timestamp_RoundTripsTheWholeDateTimeOffsetRange()
    {
        foreach (DateTimeOffset moment in new[] { DateTimeOffset.MinValue, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue })
        {
            Assert.Equal(moment, MessagePackTimestamp.FromDateTimeOffset(moment).ToDateTimeOffset());
        }
    }

    [Fact]
    public void Timestamp_OutsideDateTimeOffset_ThrowsOnConversion()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackTimestamp(long.MaxValue, 0).ToDateTimeOffset());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackTimestamp(-62135596801, 0).ToDateTimeOffset());
    }

    [Fact]
    public void Timestamp_ASecondOrMoreOfNanoseconds_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackTimestamp(0, 1_000_000_000));
    }

    [Fact]
    public void Extension_EqualsByContent()
    {
        var extension = new MessagePackExtension(3, [1, 2]);

        Assert.Equal(new MessagePackExtension(3, [1, 2]), extension);
        Assert.Equal(new MessagePackExtension(3, [1, 2]).GetHashCode(), extension.GetHashCode());
        Assert.NotEqual(new MessagePackExtension(4, [1, 2]), extension);
        Assert.NotEqual(new MessagePackExtension(3, [1, 3]), extension);
    }

    [Fact]
    public void Limits_NegativeDepth_Throws()
    {
        Assert.Equal(64, MessagePackLimits.Default.MaxDepth);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessagePackLimits(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MessagePackLimits.Default with { MaxDepth = -1 });
    }

    [Fact]
    public void Limits_ZeroDepth_AllowsOnlyScalars()
    {
        var limits = new MessagePackLimits(MaxDepth: 0);

        Assert.Equal(1L, MessagePackSerializer.Deserialize([0x01], limits));
        Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize([0x90], limits));
    }
}
