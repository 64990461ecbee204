using System.Buffers;
using MessagePack;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;

namespace ZeroGym.Bench;

/// <summary>
/// The wire codec alone on the step hot path: the client writing a step request, the server reading it, the server
/// writing the reply and the client reading it, for one CartPole and for a 64-env vector of them. Messages are the
/// ones a real step sends (CartPole's float32[4] observation, an empty info).
/// </summary>
internal static class CodecBenchmarks
{
    public static void Run(double seconds, int numEnvs)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);

        // One CartPole.
        var request = new StepRequest { Id = 123456, Handle = 1, Action = 1L };
        byte[] requestBytes = Encode(buffer, request);
        var reply = new StepReply
        {
            Id = 123456, Obs = NDArray.From(new float[] { 0.01f, -0.02f, 0.03f, 0.04f }), Reward = 1.0, Terminated = false, Truncated = false,
            Info = new Dictionary<string, object?>(),
        };
        byte[] replyBytes = Encode(buffer, reply);
        Codec("single", seconds, buffer, request, requestBytes, reply, replyBytes, 1,
            step => new StepResult(step.Obs, step.Reward, step.Terminated, step.Truncated, step.Info));

        // A vector of numEnvs CartPoles.
        var vectorRequest = new StepRequest { Id = 123456, Handle = 1, Action = NDArray.From(Enumerable.Range(0, numEnvs).Select(i => (long)(i & 1)).ToArray()) };
        byte[] vectorRequestBytes = Encode(buffer, vectorRequest);
        var vectorReply = new VectorStepReply
        {
            Id = 123456, Obs = NDArray.From(new float[numEnvs * 4], numEnvs, 4), Reward = NDArray.From(Enumerable.Repeat(1.0, numEnvs).ToArray()),
            Terminated = NDArray.From(new bool[numEnvs]), Truncated = NDArray.From(new bool[numEnvs]), Info = new Dictionary<string, object?>(),
        };
        byte[] vectorReplyBytes = Encode(buffer, vectorReply);
        // The client hands out rewards and flags as .NET arrays (RemoteVectorEnv): that copy is part of reading the reply.
        Codec($"vector {numEnvs}", seconds, buffer, vectorRequest, vectorRequestBytes, vectorReply, vectorReplyBytes, numEnvs,
            step => new VectorStepResult(step.Obs, step.Reward.ToArray<double>(), step.Terminated.ToArray<bool>(), step.Truncated.ToArray<bool>(), step.Info));
    }

    private static void Codec<TReply, TResult>(
        string name, double seconds, ArrayBufferWriter<byte> buffer, StepRequest request, byte[] requestBytes, TReply reply, byte[] replyBytes, int numEnvs,
        Func<TReply, TResult> toResult)
        where TReply : Reply, IMessage<TReply>, new()
    {
        var header = new RequestHeader();
        var replyHeader = new ReplyHeader();
        Print($"codec {name} step request encode (client)", seconds, () => EncodeInto(buffer, request));
        Print($"codec {name} step request decode (server)", seconds, () =>
        {
            RequestHeader.Read(requestBytes, header);
            StepRequest.Shape.Read(requestBytes);
        });
        Print($"codec {name} step reply encode (server)", seconds, () => EncodeInto(buffer, reply));
        Print($"codec {name} step reply decode (client)", seconds, () =>
        {
            ReplyHeader.Read(replyBytes, replyHeader);
            var reader = new MessagePackReader(replyBytes);
            toResult(TReply.Shape.Read(ref reader));
        });
        Console.Error.WriteLine($"codec {name}: request {requestBytes.Length} bytes, reply {replyBytes.Length} bytes ({numEnvs} envs)");
    }

    private static void Print(string name, double seconds, Action operation)
    {
        var result = Measure.Throughput(name, seconds, operation, batch: 1000);
        result["ns_per_op"] = Math.Round(1e9 / (double)result["items_per_cpu_s"], 1);
        Measure.Print(result);
    }

    /// <summary>Writes the message into the reused buffer, as the client and the server do.</summary>
    private static void EncodeInto<T>(ArrayBufferWriter<byte> buffer, T message) where T : class, IMessage<T>, new()
    {
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        T.Shape.Write(ref writer, message);
        writer.Flush();
    }

    private static byte[] Encode<T>(ArrayBufferWriter<byte> buffer, T message) where T : class, IMessage<T>, new()
    {
        EncodeInto(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }
}
