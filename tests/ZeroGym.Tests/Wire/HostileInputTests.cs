using System.Buffers;
using MessagePack;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>Input from strangers: truncated, lying about lengths, nested without end, or random.</summary>
public class HostileInputTests
{
    [Fact]
    public void EveryProperPrefix_OfEveryTestSuiteEncoding_ThrowsWireDecodeException()
    {
        foreach (var testCase in MessagePackTestSuite.Cases.Values)
        {
            foreach (string encoding in MessagePackTestSuite.Encodings(testCase))
            {
                byte[] bytes = Hex.Parse(encoding);
                for (int length = 0; length < bytes.Length; length++) AssertTruncated(bytes, length, encoding);
            }
        }
    }

    [Fact]
    public void ProperPrefixes_OfThePythonVectors_ThrowWireDecodeException()
    {
        var random = new Random(1);
        foreach (PythonVector vector in PythonMsgpack.Vectors.Values)
        {
            byte[] bytes = vector.Bytes;

            // Long encodings: every short prefix, the last few and a sample between (each attempt reads up to the cut).
            IEnumerable<int> lengths = bytes.Length <= 4096
                ? Enumerable.Range(0, bytes.Length)
                : Enumerable.Range(0, 300).Concat(Enumerable.Range(bytes.Length - 4, 4)).Concat(
                    Enumerable.Range(0, 4).Select(_ => random.Next(300, bytes.Length - 4)));
            foreach (int length in lengths) AssertTruncated(bytes, length, vector.Name);
        }
    }

    [Theory]
    [InlineData("dd-ff-ff-ff-ff")] // array 32 of 2^32-1 elements
    [InlineData("df-ff-ff-ff-ff")] // map 32
    [InlineData("db-ff-ff-ff-ff")] // str 32 of 2^32-1 bytes
    [InlineData("c6-ff-ff-ff-ff")] // bin 32
    [InlineData("c9-ff-ff-ff-ff-01")] // ext 32
    [InlineData("dc-ff-ff-c0")] // array 16
    [InlineData("de-ff-ff-c0-c0")] // map 16
    [InlineData("da-ff-ff-61")] // str 16
    [InlineData("c5-ff-ff-00")] // bin 16
    [InlineData("c8-ff-ff-01-00")] // ext 16
    [InlineData("91-dd-ff-ff-ff-ff")] // nested inside an array
    [InlineData("81-a1-61-df-7f-ff-ff-ff")] // nested inside a map
    public void HugeDeclaredLength_InATinyBuffer_ThrowsWithoutAllocatingForIt(string hex)
    {
        byte[] bytes = Hex.Parse(hex);
        Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(bytes)); // warms up the throw path

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(bytes));
        Assert.Throws<WireDecodeException>(() => Skip(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 100_000, $"expected a small allocation for {hex}, found {allocated} bytes");
    }

    [Theory]
    [InlineData(0x91)] // fixarray of one element
    [InlineData(0xdc)] // array 16 of one element
    [InlineData(0x81)] // fixmap whose one value is the next level
    public void HundredThousandNestedContainers_ThrowWireDecodeException(byte container)
    {
        byte[] bytes = Nested(container, 100_000);

        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(bytes));
        Assert.Throws<WireDecodeException>(() => Skip(bytes));
        Assert.Throws<WireDecodeException>(() => ReadRaw(bytes));
        Assert.Contains("nested", error.Message);
    }

    [Fact]
    public void NestingAtTheLimit_IsRead_AndOneLevelMoreThrowsAtTheInnermostContainer()
    {
        const int limits = 10;
        byte[] atLimit = Nested(0x91, 10);
        byte[] overLimit = Nested(0x91, 11);

        WireValue.Deserialize(atLimit, limits);
        Skip(atLimit, limits);
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(overLimit, limits));
        var skipError = Assert.Throws<WireDecodeException>(() => Skip(overLimit, limits));

        Assert.Equal(10, error.Offset);
        Assert.Equal(10, skipError.Offset);
    }

    [Fact]
    public void DefaultLimits_Allow64NestedArrays_ButNot65()
    {
        WireValue.Deserialize(Nested(0x91, 64));

        Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Nested(0x91, 65)));
    }

    [Fact]
    public void DeepNestingUnderAHugeLimit_ThrowsInsteadOfOverflowingTheStack()
    {
        const int limits = int.MaxValue;
        byte[] bytes = Nested(0x91, 1_000_000);

        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(bytes, limits));
        Assert.Throws<WireDecodeException>(() => Skip(bytes, limits));
        Assert.Contains("stack", error.Message);
    }

    [Theory]
    [InlineData("82-a1-61-01-a1-61-02", 4)] // "a" twice
    [InlineData("83-01-c0-02-c0-01-c3", 5)] // 1 twice
    [InlineData("82-cb-7f-f8-00-00-00-00-00-00-c0-cb-7f-f8-00-00-00-00-00-00-c0", 11)] // NaN twice
    public void DuplicateMapKey_ThrowsAtItsSecondOccurrence(string hex, int offset)
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse(hex)));

        Assert.Equal(offset, error.Offset);
        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public void NilMapKey_Throws()
    {
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(Hex.Parse("81-c0-01")));

        Assert.Equal("at byte 1: expected a map key, found nil", error.Message);
    }

    [Fact]
    public void RandomBytes_EitherDecodeOrThrowWireDecodeException()
    {
        var random = new Random(20240601);
        var buffer = new byte[48];
        for (int i = 0; i < 200_000; i++)
        {
            Memory<byte> bytes = buffer.AsMemory(0, random.Next(1, buffer.Length + 1));
            random.NextBytes(bytes.Span);
            AssertDecodesOrThrowsWireDecodeException(bytes);
        }
    }

    [Fact]
    public void MutatedEncodings_EitherDecodeOrThrowWireDecodeException()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = WireValue.Serialize(RandomValues.Tree(random, depth: 3, maxLength: 40));
            for (int flips = random.Next(1, 4); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            AssertDecodesOrThrowsWireDecodeException(bytes);
        }
    }

    [Fact]
    public void RandomTrees_RoundTripThroughWriteValueAndReadValue()
    {
        var random = new Random(42);
        for (int i = 0; i < 2_000; i++)
        {
            object? tree = RandomValues.Tree(random);

            byte[] bytes = WireValue.Serialize(tree);

            ValueTree.AssertEqual(tree, WireValue.Deserialize(bytes));
            var reader = new MessagePackReader(bytes);
            Assert.Equal(bytes.Length, WireValue.ReadRaw(ref reader).Length);
            Assert.True(reader.End);
        }
    }

    [Fact]
    public void MessagesFedOneByteAtATime_AreEachReadOnceComplete()
    {
        var random = new Random(3);
        object?[] sent = Enumerable.Range(0, 300).Select(_ => RandomValues.Tree(random, depth: 2, maxLength: 40)).ToArray();
        var stream = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(stream);
        foreach (object? message in sent) WireValue.Write(ref writer, message);
        writer.Flush();

        var received = new List<object?>();
        int consumed = 0;
        for (int available = 1; available <= stream.WrittenCount; available++)
        {
            while (TryReadComplete(stream.WrittenMemory[consumed..available], out object? message, out int length))
            {
                received.Add(message);
                consumed += length;
            }
        }

        Assert.Equal(stream.WrittenCount, consumed);
        ValueTree.AssertEqual(sent, received.ToArray());
    }

    // A value that has not fully arrived reads as truncated, which for valid input is the only possible error.
    private static bool TryReadComplete(ReadOnlyMemory<byte> bytes, out object? value, out int length)
    {
        var reader = new MessagePackReader(bytes);
        try
        {
            value = WireValue.ReadTree(ref reader);
            length = (int)reader.Consumed;
            return true;
        }
        catch (WireDecodeException)
        {
            value = null;
            length = 0;
            return false;
        }
    }

    private static void AssertTruncated(byte[] bytes, int length, string name)
    {
        byte[] prefix = bytes[..length];
        var error = Assert.Throws<WireDecodeException>(() => WireValue.Deserialize(prefix));
        Assert.Throws<WireDecodeException>(() => Skip(prefix));
        Assert.True(
            error.Offset >= 0 && error.Offset <= length,
            $"{name} cut to {length} bytes: expected an offset within the input, found {error.Offset} ({error.Message})");
    }

    private static void AssertDecodesOrThrowsWireDecodeException(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            WireValue.Deserialize(bytes);
        }
        catch (WireDecodeException)
        {
        }
        catch (Exception error)
        {
            Assert.Fail($"ReadValue of {Convert.ToHexString(bytes.Span)} threw {error}");
        }

        try
        {
            Skip(bytes);
        }
        catch (WireDecodeException)
        {
        }
        catch (Exception error)
        {
            Assert.Fail($"Skip of {Convert.ToHexString(bytes.Span)} threw {error}");
        }
    }

    private static void Skip(ReadOnlyMemory<byte> bytes, int maxDepth = WireValue.DefaultMaxDepth)
    {
        var reader = new MessagePackReader(bytes);
        WireValue.Skip(ref reader, maxDepth);
    }

    private static void ReadRaw(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        WireValue.ReadRaw(ref reader);
    }

    // `depth` containers, each holding the next (a map holds it as the value of key 0), around a nil.
    private static byte[] Nested(byte container, int depth)
    {
        byte[] level = container switch
        {
            0x81 => [0x81, 0x00],
            0xdc => [0xdc, 0x00, 0x01],
            _ => [container],
        };
        var bytes = new byte[level.Length * depth + 1];
        for (int i = 0; i < depth; i++) level.CopyTo(bytes, i * level.Length);
        bytes[^1] = 0xc0;
        return bytes;
    }
}
