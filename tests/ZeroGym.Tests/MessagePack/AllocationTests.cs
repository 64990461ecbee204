using System.Buffers;
using ZeroGym.Protocol.MessagePack;

namespace ZeroGym.Tests.MessagePack;

/// <summary>The typed API is the hot path of every request: it must not allocate.</summary>
public class AllocationTests
{
    private static readonly byte[] Request = MessagePackWriter.Serialize(new Dictionary<string, object?>
    {
        ["id"] = 12345,
        ["op"] = "step",
        ["handle"] = 3,
        ["action"] = new Dictionary<string, object?> { ["dtype"] = "float32", ["shape"] = new[] { 2 }, ["data"] = new byte[8] },
        ["seed"] = null,
        ["scale"] = 0.5,
    });

    [Fact]
    public void ReadingARequestWithTheTypedApi_AllocatesNothing()
    {
        ReadRequest(); // first call: JIT and static initialisation

        long before = GC.GetAllocatedBytesForCurrentThread();
        long checksum = ReadRequest();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(12345 + 3 + 2 + 8, checksum);
    }

    [Fact]
    public void WritingAResponseWithTheTypedApi_AllocatesNothingOnceTheBufferIsLargeEnough()
    {
        var output = new ArrayBufferWriter<byte>(1024);
        var writer = new MessagePackWriter(output);
        WriteResponse(writer);
        output.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        WriteResponse(writer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(Hex.Dashed(MessagePackWriter.Serialize(ExpectedResponse())), Hex.Dashed(output.WrittenSpan));
    }

    private static long ReadRequest()
    {
        var reader = new MessagePackReader(Request);
        long checksum = 0;
        for (int entries = reader.ReadMapHeader(); entries > 0; entries--)
        {
            ReadOnlySpan<byte> key = reader.ReadStringBytes();
            if (key.SequenceEqual("id"u8) || key.SequenceEqual("handle"u8))
            {
                checksum += reader.ReadInt64();
            }
            else if (key.SequenceEqual("action"u8))
            {
                for (int fields = reader.ReadMapHeader(); fields > 0; fields--)
                {
                    ReadOnlySpan<byte> field = reader.ReadStringBytes();
                    if (field.SequenceEqual("data"u8)) checksum += reader.ReadBinary().Length;
                    else if (field.SequenceEqual("shape"u8)) checksum += reader.ReadArrayHeader() + reader.ReadInt32() - 1;
                    else reader.Skip();
                }
            }
            else if (key.SequenceEqual("seed"u8))
            {
                reader.ReadNil();
            }
            else
            {
                reader.Skip();
            }
        }

        return checksum;
    }

    private static void WriteResponse(MessagePackWriter writer)
    {
        writer.WriteMapHeader(5);
        writer.Write("id");
        writer.Write(12345);
        writer.Write("reward");
        writer.Write(1.0);
        writer.Write("terminated");
        writer.Write(false);
        writer.Write("obs");
        writer.WriteBinary(stackalloc byte[16]);
        writer.Write("when");
        writer.WriteTimestamp(new MessagePackTimestamp(1_700_000_000, 5));
    }

    private static Dictionary<string, object?> ExpectedResponse() => new()
    {
        ["id"] = 12345,
        ["reward"] = 1.0,
        ["terminated"] = false,
        ["obs"] = new byte[16],
        ["when"] = new MessagePackTimestamp(1_700_000_000, 5),
    };
}
