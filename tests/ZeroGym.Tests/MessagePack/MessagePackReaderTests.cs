using ZeroGym.Protocol.MessagePack;

namespace ZeroGym.Tests.MessagePack;

public class MessagePackReaderTests
{
    [Fact]
    public void ReadMapHeader_OnAString_NamesOffsetExpectationAndFinding()
    {
        byte[] bytes = Hex.Parse("92-01-a3-61-62-63");

        var error = Assert.Throws<MessagePackException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            reader.ReadArrayHeader();
            reader.Skip();
            reader.ReadMapHeader();
        });

        Assert.Equal(2, error.Offset);
        Assert.Equal("at byte 2: expected a map, found fixstr (0xa3)", error.Message);
    }

    [Fact]
    public void ReadString_TruncatedPayload_SaysHowManyBytesWereMissing()
    {
        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse("d9-05-61-62")).ReadString());

        Assert.Equal("at byte 0: expected 5 more bytes for str 8 (0xd9), found 2 bytes left", error.Message);
    }

    [Fact]
    public void PositionRemainingAndEnd_FollowTheConsumedBytes()
    {
        var reader = new MessagePackReader(Hex.Parse("cd-01-00-c0"));
        Assert.Equal((0, 4, false), (reader.Position, reader.Remaining, reader.End));

        Assert.Equal(256, reader.ReadInt32());
        Assert.Equal((3, 1, false), (reader.Position, reader.Remaining, reader.End));

        reader.ReadNil();
        Assert.Equal((4, 0, true), (reader.Position, reader.Remaining, reader.End));
    }

    [Theory]
    [InlineData("c0", MessagePackType.Nil)]
    [InlineData("c2", MessagePackType.Boolean)]
    [InlineData("7f", MessagePackType.Integer)]
    [InlineData("e0", MessagePackType.Integer)]
    [InlineData("d3", MessagePackType.Integer)]
    [InlineData("ca", MessagePackType.Float)]
    [InlineData("bf", MessagePackType.String)]
    [InlineData("db", MessagePackType.String)]
    [InlineData("c6", MessagePackType.Binary)]
    [InlineData("9f", MessagePackType.Array)]
    [InlineData("dd", MessagePackType.Array)]
    [InlineData("80", MessagePackType.Map)]
    [InlineData("df", MessagePackType.Map)]
    [InlineData("d8", MessagePackType.Extension)]
    [InlineData("c7", MessagePackType.Extension)]
    public void PeekType_NamesTheFamilyWithoutConsuming(string hex, MessagePackType expected)
    {
        var reader = new MessagePackReader(Hex.Parse(hex));

        Assert.Equal(expected, reader.PeekType());
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public void NeverUsedCode_IsAnErrorEverywhere()
    {
        var peekError = Assert.Throws<MessagePackException>(() => new MessagePackReader(new byte[] { 0xc1 }).PeekType());
        var nestedError = Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize(Hex.Parse("92-01-c1")));
        Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse("92-01-c1")).Skip());

        Assert.Equal("at byte 0: expected a value, found the never-used code (0xc1)", peekError.Message);
        Assert.Equal(2, nestedError.Offset);
    }

    [Theory]
    [InlineData("cf-80-00-00-00-00-00-00-00", "expected an integer that fits Int64, found 9223372036854775808")]
    [InlineData("c3", "expected an integer, found true (0xc3)")]
    [InlineData("cb-00-00-00-00-00-00-00-00", "expected an integer, found float 64 (0xcb)")]
    public void ReadInt64_OutOfRangeOrNotAnInteger_Throws(string hex, string message)
    {
        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse(hex)).ReadInt64());

        Assert.Equal("at byte 0: " + message, error.Message);
    }

    [Theory]
    [InlineData("ce-80-00-00-00")]
    [InlineData("d3-ff-ff-ff-ff-7f-ff-ff-ff")]
    public void ReadInt32_OutsideInt32_Throws(string hex)
    {
        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse(hex)).ReadInt32());

        Assert.Contains("fits Int32", error.Message);
    }

    [Theory]
    [InlineData("00", 0UL)]
    [InlineData("d3-7f-ff-ff-ff-ff-ff-ff-ff", (ulong)long.MaxValue)]
    [InlineData("cf-ff-ff-ff-ff-ff-ff-ff-ff", ulong.MaxValue)]
    public void ReadUInt64_NonNegativeIntegers_AreRead(string hex, ulong expected) =>
        Assert.Equal(expected, new MessagePackReader(Hex.Parse(hex)).ReadUInt64());

    [Fact]
    public void ReadUInt64_NegativeInteger_Throws()
    {
        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse("ff")).ReadUInt64());

        Assert.Equal("at byte 0: expected a non-negative integer, found -1", error.Message);
    }

    [Theory]
    [InlineData("ca-3f-c0-00-00", 1.5)]
    [InlineData("cb-3f-c0-00-00-00-00-00-00", 0.125)]
    [InlineData("d0-9c", -100.0)]
    [InlineData("cf-ff-ff-ff-ff-ff-ff-ff-ff", 18446744073709551615.0)]
    public void ReadDouble_AcceptsBothFloatWidthsAndIntegers(string hex, double expected) =>
        Assert.Equal(expected, new MessagePackReader(Hex.Parse(hex)).ReadDouble());

    [Theory]
    [InlineData("ca-3f-c0-00-00", 1.5f)]
    [InlineData("cb-3f-b9-99-99-99-99-99-9a", 0.1f)]
    [InlineData("05", 5f)]
    public void ReadSingle_RoundsWiderNumbersToTheNearestFloat(string hex, float expected) =>
        Assert.Equal(expected, new MessagePackReader(Hex.Parse(hex)).ReadSingle());

    [Fact]
    public void ReadDouble_OnAString_Throws()
    {
        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(Hex.Parse("a1-31")).ReadDouble());

        Assert.Equal("at byte 0: expected a number, found fixstr (0xa1)", error.Message);
    }

    [Theory]
    [InlineData("a2-c3-28", 1)] // a lead byte followed by a non-continuation byte
    [InlineData("a2-c0-80", 1)] // overlong encoding of NUL
    [InlineData("a4-61-ed-a0-80", 2)] // an encoded surrogate
    [InlineData("a2-61-e2", 2)] // a sequence cut off by the end of the str
    [InlineData("a1-ff", 1)]
    public void ReadString_InvalidUtf8_ThrowsAtTheBadByte(string hex, int offset)
    {
        byte[] bytes = Hex.Parse(hex);

        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(bytes).ReadString());
        Assert.Throws<MessagePackException>(() => new MessagePackReader(bytes).ReadStringBytes());
        Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize(bytes));

        Assert.Equal(offset, error.Offset);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void Skip_DoesNotCheckTheUtf8InsideStrings()
    {
        var reader = new MessagePackReader(Hex.Parse("a1-ff"));

        reader.Skip();

        Assert.True(reader.End);
    }

    [Fact]
    public void ReadStringBytesAndReadBinary_ReturnSlicesOfTheInput()
    {
        byte[] bytes = Hex.Parse("a2-6f-70-c4-03-01-02-03");
        var reader = new MessagePackReader(bytes);

        ReadOnlySpan<byte> text = reader.ReadStringBytes();
        ReadOnlySpan<byte> binary = reader.ReadBinary();

        Assert.True(text.SequenceEqual("op"u8));
        Assert.True(binary.SequenceEqual(new byte[] { 1, 2, 3 }));
        Assert.True(text.Overlaps(bytes) && binary.Overlaps(bytes), "expected slices of the input, found copies");
    }

    [Fact]
    public void ReadRaw_ReturnsTheWholeEncodingOfOneValue()
    {
        byte[] bytes = Hex.Parse("92-81-a1-61-c3-c4-01-ff-2a");
        var reader = new MessagePackReader(bytes);

        ReadOnlySpan<byte> raw = reader.ReadRaw();

        Assert.Equal("92-81-a1-61-c3-c4-01-ff", Hex.Dashed(raw));
        Assert.Equal(42, reader.ReadInt32());
    }

    [Fact]
    public void ReadExtension_ReadsAnyTypeIncludingTimestamps()
    {
        var reader = new MessagePackReader(Hex.Parse("c7-03-f6-01-02-03-d6-ff-00-00-00-01"));

        Assert.Equal(new MessagePackExtension(-10, [1, 2, 3]), reader.ReadExtension());
        Assert.Equal(new MessagePackExtension(-1, [0, 0, 0, 1]), reader.ReadExtension());
    }

    [Theory]
    [InlineData("d4-05-00", "expected a timestamp (ext type -1), found ext type 5")]
    [InlineData("d5-ff-00-00", "expected a timestamp of 4, 8 or 12 bytes, found 2 bytes")]
    [InlineData("d7-ff-ee-6b-28-00-00-00-00-00", "expected a timestamp with at most 999999999 nanoseconds, found 1000000000")]
    [InlineData("c7-0c-ff-3b-9a-ca-00-00-00-00-00-00-00-00-00", "expected a timestamp with at most 999999999 nanoseconds, found 1000000000")]
    public void ReadTimestamp_MalformedTimestamp_Throws(string hex, string message)
    {
        byte[] bytes = Hex.Parse(hex);

        var error = Assert.Throws<MessagePackException>(() => new MessagePackReader(bytes).ReadTimestamp());

        Assert.Equal("at byte 0: " + message, error.Message);
    }

    [Fact]
    public void ReadValue_MalformedTimestamp_Throws()
    {
        Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize(Hex.Parse("d5-ff-00-00")));
    }

    [Fact]
    public void ReadValue_GivesTheDocumentedTypes()
    {
        byte[] bytes = Hex.Parse(
            "9d-c0-c3-2a-cf-ff-ff-ff-ff-ff-ff-ff-ff-ca-3f-c0-00-00-cb-3f-c0-00-00-00-00-00-00-a1-73-c4-01-07-91-01-82-a1-62-02-01-03" +
            "-d6-ff-00-00-00-05-d4-09-08-cd-01-00");

        object?[] values = Assert.IsType<object?[]>(MessagePackSerializer.Deserialize(bytes));

        var expected = new object?[]
        {
            null, true, 42L, ulong.MaxValue, 1.5f, 0.125, "s", new byte[] { 7 }, new object?[] { 1L },
            new Dictionary<object, object?> { ["b"] = 2L, [1L] = 3L }, new MessagePackTimestamp(5, 0),
            new MessagePackExtension(9, [8]), 256L,
        };
        ValueTree.AssertEqual(expected, values);
    }

    [Fact]
    public void ReadValue_KeepsTheMapsOrder()
    {
        var map = Assert.IsType<Dictionary<object, object?>>(MessagePackSerializer.Deserialize(Hex.Parse("83-a1-7a-01-a1-61-02-a1-6d-03")));

        Assert.Equal(new object[] { "z", "a", "m" }, map.Keys);
    }

    [Fact]
    public void Deserialize_TrailingBytes_Throws()
    {
        var error = Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize(Hex.Parse("01-02-03")));

        Assert.Equal("at byte 1: expected the end of the input after one value, found 2 more bytes", error.Message);
    }

    [Fact]
    public void Deserialize_EmptyInput_Throws()
    {
        var error = Assert.Throws<MessagePackException>(() => MessagePackSerializer.Deserialize([]));

        Assert.Equal("at byte 0: expected a value, found the end of the input", error.Message);
    }
}
