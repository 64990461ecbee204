using System.Collections;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>What <see cref="WireValue.Write"/> puts on the wire: always the smallest form, as msgpack-python does.</summary>
public class WireValueWriteTests
{
    [Theory]
    [InlineData(0L, "00")]
    [InlineData(127L, "7f")]
    [InlineData(128L, "cc-80")]
    [InlineData(255L, "cc-ff")]
    [InlineData(256L, "cd-01-00")]
    [InlineData(65535L, "cd-ff-ff")]
    [InlineData(65536L, "ce-00-01-00-00")]
    [InlineData(4294967295L, "ce-ff-ff-ff-ff")]
    [InlineData(4294967296L, "cf-00-00-00-01-00-00-00-00")]
    [InlineData(long.MaxValue, "cf-7f-ff-ff-ff-ff-ff-ff-ff")]
    [InlineData(-1L, "ff")]
    [InlineData(-32L, "e0")]
    [InlineData(-33L, "d0-df")]
    [InlineData(-128L, "d0-80")]
    [InlineData(-129L, "d1-ff-7f")]
    [InlineData(-32768L, "d1-80-00")]
    [InlineData(-32769L, "d2-ff-ff-7f-ff")]
    [InlineData(-2147483648L, "d2-80-00-00-00")]
    [InlineData(-2147483649L, "d3-ff-ff-ff-ff-7f-ff-ff-ff")]
    [InlineData(long.MinValue, "d3-80-00-00-00-00-00-00-00")]
    public void WriteLong_UsesTheSmallestFormat(long value, string expected) =>
        Assert.Equal(expected, Written(value));

    [Fact]
    public void WriteULong_AboveLong_UsesUInt64() =>
        Assert.Equal("cf-ff-ff-ff-ff-ff-ff-ff-fe", Written(ulong.MaxValue - 1));

    [Fact]
    public void WriteFloatAndDouble_KeepTheirWidth()
    {
        Assert.Equal("ca-3f-c0-00-00", Written(1.5f));
        Assert.Equal("cb-3f-f8-00-00-00-00-00-00", Written(1.5));
        Assert.Equal("cb-7f-f0-00-00-00-00-00-00", Written(double.PositiveInfinity));
    }

    [Theory]
    [InlineData(31, "bf")]
    [InlineData(32, "d9-20")]
    [InlineData(255, "d9-ff")]
    [InlineData(256, "da-01-00")]
    [InlineData(65535, "da-ff-ff")]
    [InlineData(65536, "db-00-01-00-00")]
    public void WriteString_UsesTheSmallestHeader(int length, string header)
    {
        string written = Written(new string('q', length));

        Assert.StartsWith(header + "-71", written);
        Assert.Equal(header.Length / 3 + 1 + length, Hex.Parse(written).Length);
    }

    [Fact]
    public void WriteString_CountsUtf8BytesNotChars()
    {
        // 16 chars of 2 bytes each: 32 bytes, too long for a fixstr.
        Assert.StartsWith("d9-20-d0-96", Written(new string('Ж', 16)));
    }

    [Theory]
    [InlineData(0, "c4-00")]
    [InlineData(255, "c4-ff")]
    [InlineData(256, "c5-01-00")]
    [InlineData(65535, "c5-ff-ff")]
    [InlineData(65536, "c6-00-01-00-00")]
    public void WriteBinary_UsesTheSmallestHeader(int length, string header) =>
        Assert.StartsWith(header, Written(new byte[length]));

    [Theory]
    [InlineData(15, "9f", "8f")]
    [InlineData(16, "dc-00-10", "de-00-10")]
    [InlineData(65535, "dc-ff-ff", "de-ff-ff")]
    [InlineData(65536, "dd-00-01-00-00", "df-00-01-00-00")]
    public void WriteArrayAndMapHeaders_UseTheSmallestFormat(int count, string array, string map)
    {
        Assert.StartsWith(array + "-c0", Written(new object?[count]));
        Assert.StartsWith(map + "-", Written(Enumerable.Range(0, count).ToDictionary(i => (long)i, _ => (object?)null)));
    }

    [Theory]
    [InlineData(0, "c7-00-05")]
    [InlineData(1, "d4-05")]
    [InlineData(2, "d5-05")]
    [InlineData(3, "c7-03-05")]
    [InlineData(4, "d6-05")]
    [InlineData(8, "d7-05")]
    [InlineData(16, "d8-05")]
    [InlineData(17, "c7-11-05")]
    [InlineData(255, "c7-ff-05")]
    [InlineData(256, "c8-01-00-05")]
    [InlineData(65536, "c9-00-01-00-00-05")]
    public void WriteExtension_UsesFixextWhenTheLengthAllows(int length, string header) =>
        Assert.StartsWith(header, Written(new WireExtension(5, new byte[length])));

    [Theory]
    [InlineData(0L, 0u, "d6-ff-00-00-00-00")]
    [InlineData(4294967295L, 0u, "d6-ff-ff-ff-ff-ff")]
    [InlineData(0L, 1u, "d7-ff-00-00-00-04-00-00-00-00")]
    [InlineData(4294967296L, 0u, "d7-ff-00-00-00-01-00-00-00-00")]
    [InlineData(17179869183L, 999999999u, "d7-ff-ee-6b-27-ff-ff-ff-ff-ff")]
    [InlineData(17179869184L, 0u, "c7-0c-ff-00-00-00-00-00-00-00-04-00-00-00-00")]
    [InlineData(-1L, 999999999u, "c7-0c-ff-3b-9a-c9-ff-ff-ff-ff-ff-ff-ff-ff-ff")]
    public void WriteTimestamp_UsesTheSmallestOfTheThreeForms(long seconds, uint nanoseconds, string expected) =>
        Assert.Equal(expected, Written(new WireTimestamp(seconds, nanoseconds)));

    [Fact]
    public void WriteValue_EveryIntegerType_UsesTheSmallestIntegerFormat()
    {
        object[] integers = [(sbyte)-5, (byte)200, (short)-300, (ushort)60000, -70000, 3_000_000_000u, -5_000_000_000L,
            18_000_000_000_000_000_000UL];
        string[] expected = ["fb", "cc-c8", "d1-fe-d4", "cd-ea-60", "d2-ff-fe-ee-90", "ce-b2-d0-5e-00", "d3-ff-ff-ff-fe-d5-fa-0e-00",
            "cf-f9-cc-d8-a1-c5-08-00-00"];

        Assert.Equal(expected, integers.Select(integer => Hex.Dashed(WireValue.Serialize(integer))));
    }

    [Fact]
    public void WriteValue_BytesInAnyContainer_AreBin_AndStringsAreStr()
    {
        Assert.Equal("c4-02-01-02", Hex.Dashed(WireValue.Serialize(new byte[] { 1, 2 })));
        Assert.Equal("c4-01-02", Hex.Dashed(WireValue.Serialize(new ReadOnlyMemory<byte>([1, 2], 1, 1))));
        Assert.Equal("c4-01-01", Hex.Dashed(WireValue.Serialize(new Memory<byte>([1]))));
        Assert.Equal("a2-68-69", Hex.Dashed(WireValue.Serialize("hi")));
    }

    [Fact]
    public void WriteValue_CollectionsBecomeArraysAndMaps()
    {
        var list = new ArrayList { 1, "a" };
        var map = new SortedDictionary<string, int[]> { ["b"] = [2], ["a"] = [] };

        Assert.Equal("92-01-a1-61", Hex.Dashed(WireValue.Serialize(list)));
        Assert.Equal("82-a1-61-90-a1-62-91-02", Hex.Dashed(WireValue.Serialize(map)));
    }

    [Fact]
    public void WriteValue_ExtensionAndTimestamp_AreWrittenAsGiven()
    {
        Assert.Equal("d5-07-01-02", Hex.Dashed(WireValue.Serialize(new WireExtension(7, [1, 2]))));
        Assert.Equal("d6-ff-00-00-00-03", Hex.Dashed(WireValue.Serialize(new WireTimestamp(3, 0))));
    }

    [Fact]
    public void WriteValue_UnsupportedType_ThrowsArgumentExceptionNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => WireValue.Serialize(new object?[] { 1, Guid.Empty }));

        Assert.Contains("System.Guid", error.Message);
    }

    [Fact]
    public void WriteValue_CyclicList_ThrowsArgumentException()
    {
        var cycle = new List<object?> { 1 };
        cycle.Add(cycle);

        var error = Assert.Throws<ArgumentException>(() => WireValue.Serialize(cycle));

        Assert.Contains("cycle", error.Message);
    }

    [Fact]
    public void WriteValue_NestingAtTheLimit_IsWritten_AndOneLevelMoreThrows()
    {
        object? atLimit = 1L;
        for (int i = 0; i < WireValue.DefaultMaxDepth; i++) atLimit = new object?[] { atLimit };

        Assert.Equal(WireValue.DefaultMaxDepth + 1, WireValue.Serialize(atLimit).Length);
        Assert.Throws<ArgumentException>(() => WireValue.Serialize(new object?[] { atLimit }));
    }

    [Fact]
    public void WriteValue_NDArray_IsTheArrayMapOfSpec21()
    {
        var array = NDArray.From(new byte[] { 7, 8 });

        Assert.Equal("83-a5-64-74-79-70-65-a5-75-69-6e-74-38-a5-73-68-61-70-65-91-02-a4-64-61-74-61-c4-02-07-08", Hex.Dashed(WireValue.Serialize(array)));
    }

    private static string Written(object? value) => Hex.Dashed(WireValue.Serialize(value));
}
