using ZeroGym.Arrays;
using ZeroGym.Protocol.MessagePack;
using ZeroGym.Spaces;
using ZeroGym.Protocol.Wire;

namespace ZeroGym;

/// <summary>Reading reply maps: every field is checked, so a broken server gives a clear error, not a cast failure.</summary>
internal static class Replies
{
    /// <summary>Code of the <see cref="ZeroGymException"/> thrown when a reply does not follow SPEC.md.</summary>
    public const string BadReply = "bad_reply";

    /// <summary>Reads a reply the client has a typed reader for; throws <see cref="ZeroGymException"/> for a broken one.</summary>
    public delegate T Parser<out T>(ReadOnlySpan<byte> payload);

    /// <summary>A reply as a generic tree, for the replies read once per env (hello, make, list).</summary>
    public static Dictionary<object, object?> Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            return MessagePackSerializer.Deserialize(payload) as Dictionary<object, object?>
                ?? throw new ZeroGymException(BadReply, "the server sent a reply that is not a map");
        }
        catch (MessagePackException error)
        {
            throw new ZeroGymException(BadReply, $"the server sent a reply that is not valid MessagePack: {error.Message}", error);
        }
    }

    /// <summary>The id of a reply (null when nil) and whether it is an error, read without decoding the rest.</summary>
    public static (ulong? Id, bool IsError) Envelope(ReadOnlySpan<byte> payload) => Read(payload, static (ref MessagePackReader reader, ReadOnlySpan<byte> key, ref (ulong? Id, bool IsError) envelope) =>
    {
        if (key.SequenceEqual("id"u8))
        {
            envelope.Id = reader.TryReadNil() ? null : reader.TryReadInt64(out long id) ? (ulong)id : reader.ReadUInt64();
            return;
        }

        envelope.IsError |= key.SequenceEqual("error"u8);
        reader.Skip();
    });

    /// <summary>A single env's reset reply.</summary>
    public static ResetResult ReadReset(ReadOnlySpan<byte> payload)
    {
        var fields = Read(payload, static (ref MessagePackReader reader, ReadOnlySpan<byte> key, ref Fields fields) => fields.Read(ref reader, key));
        return new ResetResult(fields.Observation ?? throw Missing("obs", "a value"), fields.Info ?? throw Missing("info", "a map"));
    }

    /// <summary>A single env's step reply.</summary>
    public static StepResult ReadStep(ReadOnlySpan<byte> payload)
    {
        var fields = Read(payload, static (ref MessagePackReader reader, ReadOnlySpan<byte> key, ref Fields fields) => fields.Read(ref reader, key));
        return new StepResult(
            fields.Observation ?? throw Missing("obs", "a value"),
            fields.Reward as double? ?? throw Missing("reward", "a number"),
            fields.Terminated as bool? ?? throw Missing("terminated", "a bool"),
            fields.Truncated as bool? ?? throw Missing("truncated", "a bool"),
            fields.Info ?? throw Missing("info", "a map"));
    }

    /// <summary>A vector env's reset reply.</summary>
    public static VectorResetResult ReadVectorReset(ReadOnlySpan<byte> payload)
    {
        var reset = ReadReset(payload);
        return new VectorResetResult(reset.Observation, reset.Info);
    }

    /// <summary>A vector env's step reply: rewards and flags are arrays, one element per sub-env.</summary>
    public static VectorStepResult ReadVectorStep(ReadOnlySpan<byte> payload)
    {
        var fields = Read(payload, static (ref MessagePackReader reader, ReadOnlySpan<byte> key, ref Fields fields) => fields.Read(ref reader, key));
        T[] Elements<T>(object? value, string key) where T : unmanaged =>
            value is NDArray { Rank: 1 } array && array.DType == DTypes.Of<T>() ? array.ToArray<T>() : throw Missing(key, $"a {DTypes.Of<T>().Name()} array");
        return new VectorStepResult(
            fields.Observation ?? throw Missing("obs", "a value"),
            Elements<double>(fields.Reward, "reward"),
            Elements<bool>(fields.Terminated, "terminated"),
            Elements<bool>(fields.Truncated, "truncated"),
            fields.Info ?? throw Missing("info", "a map"));
    }

    private delegate void FieldReader<T>(ref MessagePackReader reader, ReadOnlySpan<byte> key, ref T state);

    /// <summary>Walks a reply map, handing each key to <paramref name="readField"/>; broken replies become <see cref="ZeroGymException"/>s.</summary>
    private static T Read<T>(ReadOnlySpan<byte> payload, FieldReader<T> readField) where T : new()
    {
        var state = new T();
        try
        {
            var reader = new MessagePackReader(payload);
            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++) readField(ref reader, reader.ReadStringBytes(), ref state);
            return state;
        }
        catch (Exception error) when (error is MessagePackException or FormatException)
        {
            throw new ZeroGymException(BadReply, $"the server's reply does not follow the protocol: {error.Message}", error);
        }
    }

    /// <summary>The fields of reset and step replies, in wire form.</summary>
    private struct Fields
    {
        public object? Observation;
        public object? Reward;
        public object? Terminated;
        public object? Truncated;
        public IReadOnlyDictionary<string, object?>? Info;

        public void Read(ref MessagePackReader reader, ReadOnlySpan<byte> key)
        {
            if (key.SequenceEqual("obs"u8)) Observation = WireFormat.ReadValue(ref reader, "obs");
            else if (key.SequenceEqual("reward"u8)) Reward = reader.PeekType() == MessagePackType.Map ? WireFormat.ReadValue(ref reader, "reward") : reader.ReadDouble();
            else if (key.SequenceEqual("terminated"u8)) Terminated = reader.PeekType() == MessagePackType.Map ? WireFormat.ReadValue(ref reader, "terminated") : reader.ReadBoolean();
            else if (key.SequenceEqual("truncated"u8)) Truncated = reader.PeekType() == MessagePackType.Map ? WireFormat.ReadValue(ref reader, "truncated") : reader.ReadBoolean();
            else if (key.SequenceEqual("info"u8)) Info = WireFormat.ReadValue(ref reader, "info") as Dictionary<string, object?> ?? throw Missing("info", "a map");
            else reader.Skip();
        }
    }

    public static ZeroGymException Error(object? tree)
    {
        if (tree is Dictionary<object, object?> error && error.GetValueOrDefault("code") is string code)
        {
            return new ZeroGymException(code, error.GetValueOrDefault("message") as string ?? code);
        }

        return new ZeroGymException(BadReply, $"the server sent an error without a code: {ZeroGym.Spaces.Space.Describe(tree)}");
    }

    public static object? Field(Dictionary<object, object?> reply, string key) =>
        reply.TryGetValue(key, out var value) ? value : throw Missing(key, "present");

    public static long Long(Dictionary<object, object?> reply, string key) =>
        Field(reply, key) as long? ?? throw Missing(key, "an integer");

    public static long? OptionalLong(Dictionary<object, object?> reply, string key) =>
        reply.GetValueOrDefault(key) switch { null => null, long value => value, _ => throw Missing(key, "an integer or nil") };

    public static double Double(Dictionary<object, object?> reply, string key) => Field(reply, key) switch
    {
        double value => value,
        float value => value,
        long value => value,
        _ => throw Missing(key, "a number"),
    };

    public static double? OptionalDouble(Dictionary<object, object?> reply, string key) =>
        reply.GetValueOrDefault(key) is null ? null : Double(reply, key);

    public static bool Bool(Dictionary<object, object?> reply, string key) =>
        Field(reply, key) as bool? ?? throw Missing(key, "a bool");

    public static string String(Dictionary<object, object?> reply, string key) =>
        Field(reply, key) as string ?? throw Missing(key, "a string");

    public static object?[] List(Dictionary<object, object?> reply, string key) =>
        Field(reply, key) as object?[] ?? throw Missing(key, "a list");

    public static Dictionary<object, object?> Map(Dictionary<object, object?> reply, string key) =>
        Field(reply, key) as Dictionary<object, object?> ?? throw Missing(key, "a map");

    public static IReadOnlyList<string> Strings(Dictionary<object, object?> reply, string key) =>
        List(reply, key).Select(item => item as string ?? throw Missing(key, "a list of strings")).ToList();

    public static Space Space(Dictionary<object, object?> reply, string key) =>
        Convert(() => WireFormat.ReadSpace(Field(reply, key), key));

    public static NDArray Array(Dictionary<object, object?> reply, string key) =>
        Convert(() => WireFormat.ReadArray(Field(reply, key), key));

    private static T Convert<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException error)
        {
            throw new ZeroGymException(BadReply, $"the server's reply does not follow the protocol: {error.Message}", error);
        }
    }

    private static ZeroGymException Missing(string key, string expected) =>
        new(BadReply, $"the server's reply must have '{key}' {(expected == "present" ? "" : "as " + expected)}".TrimEnd());
}
