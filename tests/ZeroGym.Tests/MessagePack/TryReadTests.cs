using ZeroGym.Protocol.MessagePack;

namespace ZeroGym.Tests.MessagePack;

/// <summary>Each TryRead* consumes a value of its type and leaves any other value where it is.</summary>
public class TryReadTests
{
    private delegate bool TryRead(ref MessagePackReader reader);

    // One value of each type, and how many bytes a TryRead of that type consumes (arrays and maps: the header).
    private static readonly Dictionary<string, (MessagePackType Type, string Hex, int Consumed)> Samples = new()
    {
        ["nil"] = (MessagePackType.Nil, "c0", 1),
        ["bool"] = (MessagePackType.Boolean, "c3", 1),
        ["int"] = (MessagePackType.Integer, "d1-ff-00", 3),
        ["float"] = (MessagePackType.Float, "cb-3f-f8-00-00-00-00-00-00", 9),
        ["str"] = (MessagePackType.String, "a2-68-69", 3),
        ["bin"] = (MessagePackType.Binary, "c4-01-00", 3),
        ["array"] = (MessagePackType.Array, "92-01-02", 1),
        ["map"] = (MessagePackType.Map, "81-01-02", 1),
        ["ext"] = (MessagePackType.Extension, "d4-05-00", 3),
        ["timestamp"] = (MessagePackType.Extension, "d6-ff-00-00-00-01", 6),
    };

    private static readonly Dictionary<string, (TryRead Read, MessagePackType[] Accepts)> Readers = new()
    {
        ["TryReadNil"] = ((ref MessagePackReader r) => r.TryReadNil(), [MessagePackType.Nil]),
        ["TryReadBoolean"] = ((ref MessagePackReader r) => r.TryReadBoolean(out _), [MessagePackType.Boolean]),
        ["TryReadInt64"] = ((ref MessagePackReader r) => r.TryReadInt64(out _), [MessagePackType.Integer]),
        ["TryReadDouble"] = ((ref MessagePackReader r) => r.TryReadDouble(out _), [MessagePackType.Integer, MessagePackType.Float]),
        ["TryReadString"] = ((ref MessagePackReader r) => r.TryReadString(out _), [MessagePackType.String]),
        ["TryReadArrayHeader"] = ((ref MessagePackReader r) => r.TryReadArrayHeader(out _), [MessagePackType.Array]),
        ["TryReadMapHeader"] = ((ref MessagePackReader r) => r.TryReadMapHeader(out _), [MessagePackType.Map]),
    };

    public static TheoryData<string, string> ReaderAndSample()
    {
        var rows = new TheoryData<string, string>();
        foreach (string reader in Readers.Keys)
        {
            foreach (string sample in Samples.Keys) rows.Add(reader, sample);
        }

        return rows;
    }

    public static TheoryData<string> ReaderNames() => new(Readers.Keys);

    [Theory]
    [MemberData(nameof(ReaderAndSample))]
    public void TryRead_ConsumesItsOwnTypeAndLeavesOthersInPlace(string readerName, string sampleName)
    {
        var (tryRead, accepts) = Readers[readerName];
        var (type, hex, consumed) = Samples[sampleName];
        var reader = new MessagePackReader(Hex.Parse("07-" + hex)); // a leading value, so the position starts above 0
        reader.ReadInt64();

        bool read = tryRead(ref reader);

        Assert.Equal(accepts.Contains(type), read);
        Assert.Equal(read ? 1 + consumed : 1, reader.Position);
    }

    [Theory]
    [MemberData(nameof(ReaderNames))]
    public void TryRead_AtTheEndOfTheInput_Throws(string readerName)
    {
        var error = Assert.Throws<MessagePackException>(() =>
        {
            var reader = new MessagePackReader(new byte[] { 0x07 });
            reader.ReadInt64();
            Readers[readerName].Read(ref reader);
        });

        Assert.Equal("at byte 1: expected a value, found the end of the input", error.Message);
    }

    [Theory]
    [MemberData(nameof(ReaderNames))]
    public void TryRead_OnTheNeverUsedCode_Throws(string readerName)
    {
        var error = Assert.Throws<MessagePackException>(() =>
        {
            var reader = new MessagePackReader(new byte[] { 0xc1 });
            Readers[readerName].Read(ref reader);
        });

        Assert.Contains("0xc1", error.Message);
    }

    [Theory]
    [InlineData("TryReadInt64", "cd-01")]
    [InlineData("TryReadDouble", "cb-3f-f8")]
    [InlineData("TryReadString", "a3-61-62")]
    [InlineData("TryReadArrayHeader", "dd-00-00-00")]
    [InlineData("TryReadMapHeader", "82-01-02-03")]
    public void TryRead_OnATruncatedValueOfItsType_Throws(string readerName, string hex)
    {
        byte[] bytes = Hex.Parse(hex);

        Assert.Throws<MessagePackException>(() =>
        {
            var reader = new MessagePackReader(bytes);
            Readers[readerName].Read(ref reader);
        });
    }

    [Fact]
    public void TryReadInt64_OnAnIntegerAboveInt64_ReturnsFalseAndLeavesItForReadUInt64()
    {
        var reader = new MessagePackReader(Hex.Parse("cf-80-00-00-00-00-00-00-00"));

        Assert.False(reader.TryReadInt64(out _));
        Assert.Equal(0, reader.Position);
        Assert.Equal(9223372036854775808UL, reader.ReadUInt64());
    }

    [Fact]
    public void TryReadValues_ReturnWhatWasRead()
    {
        var reader = new MessagePackReader(Hex.Parse("c2-d1-ff-00-cb-3f-f8-00-00-00-00-00-00-a2-68-69-92-81-c0-c0"));

        Assert.True(reader.TryReadBoolean(out bool boolean));
        Assert.True(reader.TryReadInt64(out long integer));
        Assert.True(reader.TryReadDouble(out double number));
        Assert.True(reader.TryReadString(out string? text));
        Assert.True(reader.TryReadArrayHeader(out int elements));
        Assert.True(reader.TryReadMapHeader(out int entries));

        Assert.Equal((false, -256L, 1.5, "hi", 2, 1), (boolean, integer, number, text, elements, entries));
    }
}
