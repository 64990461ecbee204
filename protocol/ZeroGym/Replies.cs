using ZeroGym.Protocol.MessagePack;
using ZeroGym.Protocol.Spaces;
using ZeroGym.Protocol.Wire;

namespace ZeroGym;

/// <summary>Reading reply maps: every field is checked, so a broken server gives a clear error, not a cast failure.</summary>
internal static class Replies
{
    /// <summary>Code of the <see cref="ZeroGymException"/> thrown when a reply does not follow SPEC.md.</summary>
    public const string BadReply = "bad_reply";

    public static Dictionary<object, object?> Decode(ReadOnlySpan<byte> payload, string address)
    {
        try
        {
            return MessagePackSerializer.Deserialize(payload) as Dictionary<object, object?>
                ?? throw new ZeroGymException(BadReply, $"the server at {address} sent a reply that is not a map");
        }
        catch (MessagePackException error)
        {
            throw new ZeroGymException(BadReply, $"the server at {address} sent a reply that is not valid MessagePack: {error.Message}", error);
        }
    }

    public static bool IsId(object replyId, ulong id) => replyId switch
    {
        long signed => signed >= 0 && (ulong)signed == id,
        ulong unsigned => unsigned == id,
        _ => false,
    };

    public static ZeroGymException Error(object? tree)
    {
        if (tree is Dictionary<object, object?> error && error.GetValueOrDefault("code") is string code)
        {
            return new ZeroGymException(code, error.GetValueOrDefault("message") as string ?? code);
        }

        return new ZeroGymException(BadReply, $"the server sent an error without a code: {Protocol.Spaces.Space.Describe(tree)}");
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

    /// <summary>An info map with arrays decoded (SPEC.md §2.1).</summary>
    public static IReadOnlyDictionary<string, object?> Info(Dictionary<object, object?> reply) =>
        Convert(() => WireFormat.ToStringKeyedMap(Field(reply, "info"), "info"));

    /// <summary>A value (observation, frame) with arrays decoded.</summary>
    public static object Value(Dictionary<object, object?> reply, string key) =>
        Convert(() => WireFormat.FromTree(Field(reply, key), key)) ?? throw Missing(key, "a value");

    public static Space Space(Dictionary<object, object?> reply, string key) =>
        Convert(() => WireFormat.ReadSpace(Field(reply, key), key));

    public static Protocol.Arrays.NDArray Array(Dictionary<object, object?> reply, string key) =>
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
