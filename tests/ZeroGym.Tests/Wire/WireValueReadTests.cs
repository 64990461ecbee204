using MessagePack;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>What <see cref="WireValue.ReadTree"/> makes of the bytes, and how it refuses what is not one value.</summary>
public class WireValueReadTests
{
    [Fact]
    public void ReadTree_GivesTheDocumentedTypes()
    {
        byte[] bytes = Hex.Parse(
            "9d-c0-c3-2a-cf-ff-ff-ff-ff-ff-ff-ff-ff-ca-3f-c0-00-00-cb-3f-c0-00-00-00-00-00-00-a1-73-c4-01-07-91-01-82-a1-62-02-01-03" +
            "-d6-ff-00-00-00-05-d4-09-08-cd-01-00");

        object?[] values = Assert.IsType<object?[]>(WireValue.Deserialize(bytes));

        var expected = new object?[]
        {
            null, true, 42L, ulong.MaxValue, 1.5f, 0.125, "s", new byte[] { 7 }, new object?[] { 1L },
            new Dictionary<object, object?> { ["b"] = 2L, [1L] = 3L }, new WireTimestamp(5, 0),
            new WireExtension(9, [8]), 256L,
        };
        ValueTree.AssertEqual(expected, values);
    }

    [Theory]
    [InlineData("a2-c3-28", "at byte 0: expected a UTF-8 string, found invalid UTF-8 at string byte 0")]
    [InlineData("92-a1-61-a3-61-62-ff", "at byte 3: expected a UTF-8 string, found invalid UTF-8 at string byte 2")]
    [InlineData("81-a2-ed-a0-01", "at byte 1: expected a UTF-8 string, found invalid UTF-8 at string byte 0")]
    public void ReadTree_RefusesStringsThatAreNotUtf8(string hex, string message)
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse(hex)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ReadTree_KeepsTheMapsOrder()
    {
        var map = Assert.IsType<Dictionary<object, object?>>(WireValue.Deserialize(Hex.Parse("83-a1-7a-01-a1-61-02-a1-6d-03")));

        Assert.Equal(new object[] { "z", "a", "m" }, map.Keys);
    }

    [Fact]
    public void NeverUsedCode_IsAnErrorEverywhere()
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse("92-01-c1")));
        Assert.Throws<WireDecodeException>(() =>
        {
            var reader = new MessagePackReader(Hex.Parse("92-01-c1"));
            WireValue.Skip(ref reader);
        });

        Assert.Equal("at byte 2: expected a MessagePack value, found the never-used code 0xc1", error.Message);
    }

    [Theory]
    [InlineData("d5-ff-00-00", "found 2 bytes")]
    [InlineData("d7-ff-ee-6b-28-00-00-00-00-00", "found 8 bytes")]
    [InlineData("c7-0c-ff-3b-9a-ca-00-00-00-00-00-00-00-00-00", "found 12 bytes")]
    public void MalformedTimestamp_Throws(string hex, string found)
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse(hex)));

        Assert.StartsWith("at byte 0: expected a timestamp of 4, 8 or 12 bytes with nanoseconds below 10^9", error.Message);
        Assert.Contains(found, error.Message);
    }

    [Fact]
    public void Deserialize_TrailingBytes_Throws()
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse("01-02-03")));

        Assert.Equal("at byte 1: expected the end of the input after one value, found 2 more bytes", error.Message);
    }

    [Fact]
    public void Deserialize_EmptyInput_Throws()
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Array.Empty<byte>()));

        Assert.Equal(0, error.Offset);
        Assert.Contains("expected more bytes, found the end of the input", error.Message);
    }
}
