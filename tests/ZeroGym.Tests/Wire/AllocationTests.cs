using System.Buffers;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>The step request and reply are the hot path of every env: reading allocates only the message, writing nothing.</summary>
public class AllocationTests
{
    private static readonly byte[] Request = WireValue.Serialize(new Dictionary<string, object?>
    {
        ["id"] = 12345,
        ["op"] = "step",
        ["handle"] = 3,
        ["action"] = 1L,
        ["scale"] = 0.5,
        ["extra"] = new Dictionary<string, object?> { ["dtype"] = "float32", ["shape"] = new[] { 2 }, ["data"] = new byte[8] },
    });

    [Fact]
    public void ReadingAStepRequest_AllocatesOnlyTheRequestAndItsAction()
    {
        StepRequest.Shape.Read(Request); // first call: JIT and static initialisation

        long before = GC.GetAllocatedBytesForCurrentThread();
        var request = StepRequest.Shape.Read(Request);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((12345UL, 3L, 1L), (request.Id, request.Handle, Assert.IsType<long>(request.Action)));
        Assert.True(allocated <= 80, $"expected the request (40 bytes) and a boxed long (24 bytes), found {allocated} bytes");
    }

    [Fact]
    public void ReadingAnArrayAction_CopiesItsDataOnceFromTheFrame()
    {
        var data = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        byte[] payload = StepRequest.Shape.Serialize(new StepRequest { Id = 1, Handle = 2, Action = new NDArray(DType.UInt8, [4096], data) });
        StepRequest.Shape.Read(payload);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var action = Assert.IsType<NDArray>(StepRequest.Shape.Read(payload).Action);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(data, action.Data);
        Assert.True(allocated < data.Length + 400, $"expected one copy of the {data.Length} bytes and small objects, found {allocated} bytes");
    }

    [Fact]
    public void WritingAStepReply_IntoAReusedBuffer_AllocatesNothing()
    {
        var reply = new StepReply
        {
            Id = 12345,
            Obs = NDArray.From(new float[] { 0.1f, -0.2f, 0.3f, 0.4f }),
            Reward = 1.0,
            Terminated = false,
            Truncated = true,
            Info = new Dictionary<string, object?> { ["lives"] = 3L },
        };
        var output = new ArrayBufferWriter<byte>(1024);
        Write(output, reply);
        output.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        Write(output, reply);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        var decoded = (Dictionary<object, object?>)WireValue.Deserialize(output.WrittenMemory)!;
        Assert.Equal(["id", "obs", "reward", "terminated", "truncated", "info"], decoded.Keys);
        Assert.Equal(true, decoded["truncated"]);
    }

    private static void Write(ArrayBufferWriter<byte> output, StepReply reply)
    {
        var writer = new MessagePackWriter(output);
        StepReply.Shape.Write(ref writer, reply);
        writer.Flush();
    }
}
