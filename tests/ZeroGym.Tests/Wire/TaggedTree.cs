using System.Text.Json;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>
/// Reads the typed JSON that tests/interop/msgpack_vectors.py prints for a value (see the script's doc comment)
/// into the generic tree <see cref="WireValue.ReadTree"/> would return.
/// </summary>
internal static class TaggedTree
{
    public static object? ToValue(JsonElement tree)
    {
        switch (tree.ValueKind)
        {
            case JsonValueKind.Null: return null;
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Object: break;
            default: throw new FormatException($"expected null, a bool or a tagged object, found {tree}");
        }

        JsonProperty tagged = tree.EnumerateObject().Single();
        JsonElement content = tagged.Value;
        return tagged.Name switch
        {
            "int" => content.TryGetInt64(out long integer) ? integer : content.GetUInt64(),
            "float64" => BitConverter.Int64BitsToDouble(Convert.ToInt64(content.GetString(), 16)),
            "float32" => BitConverter.Int32BitsToSingle(Convert.ToInt32(content.GetString(), 16)),
            "str" => content.GetString(),
            "bin" => Hex.Parse(content.GetString()!),
            "array" => content.EnumerateArray().Select(ToValue).ToArray(),
            "map" => ToMap(content),
            "ext" => new WireExtension((sbyte)content[0].GetInt32(), Hex.Parse(content[1].GetString()!)),
            "timestamp" => new WireTimestamp(content[0].GetInt64(), content[1].GetUInt32()),
            "error" => throw new InvalidOperationException($"Python reported: {content.GetString()}"),
            _ => throw new FormatException($"expected a known tag, found \"{tagged.Name}\""),
        };
    }

    private static Dictionary<object, object?> ToMap(JsonElement entries)
    {
        var map = new Dictionary<object, object?>();
        foreach (JsonElement entry in entries.EnumerateArray())
        {
            map.Add(ToValue(entry[0])!, ToValue(entry[1]));
        }

        return map;
    }
}
