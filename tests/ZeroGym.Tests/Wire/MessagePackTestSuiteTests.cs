using System.Text.Json;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>Every case of msgpack-test-suite 1.0.0, one test row per listed encoding and one per value.</summary>
public class MessagePackTestSuiteTests
{
    public static TheoryData<string, int, string> ListedEncodings()
    {
        var rows = new TheoryData<string, int, string>();
        foreach (var ((file, index), testCase) in MessagePackTestSuite.Cases)
        {
            foreach (string encoding in MessagePackTestSuite.Encodings(testCase)) rows.Add(file, index, encoding);
        }

        return rows;
    }

    public static TheoryData<string, int> Values()
    {
        var rows = new TheoryData<string, int>();
        foreach (var (file, index) in MessagePackTestSuite.Cases.Keys) rows.Add(file, index);
        return rows;
    }

    [Theory]
    [MemberData(nameof(ListedEncodings))]
    public void Deserialize_EveryListedEncoding_GivesTheCaseValue(string file, int index, string encoding)
    {
        object? expected = ExpectedValue(MessagePackTestSuite.Cases[(file, index)]);

        object? decoded = WireValue.Deserialize(Hex.Parse(encoding));

        string? difference = FindDifference(expected, decoded, "value");
        Assert.True(difference is null, difference);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Serialize_CaseValue_GivesOneOfTheListedEncodings(string file, int index)
    {
        JsonElement testCase = MessagePackTestSuite.Cases[(file, index)];

        string encoded = Hex.Dashed(WireValue.Serialize(ExpectedValue(testCase)));

        Assert.Contains(encoded, MessagePackTestSuite.Encodings(testCase));
    }

    // The value a case describes: a bignum string wins over its (rounded) number.
    private static object? ExpectedValue(JsonElement testCase)
    {
        if (testCase.TryGetProperty("bignum", out JsonElement bignum))
        {
            string digits = bignum.GetString()!;
            return long.TryParse(digits, out long signed) ? signed : ulong.Parse(digits);
        }

        JsonProperty value = testCase.EnumerateObject().First(property => property.Name != "msgpack");
        JsonElement content = value.Value;
        return value.Name switch
        {
            "nil" => null,
            "binary" => Hex.Parse(content.GetString()!),
            "timestamp" => new WireTimestamp(content[0].GetInt64(), content[1].GetUInt32()),
            "ext" => new WireExtension((sbyte)content[0].GetInt32(), Hex.Parse(content[1].GetString()!)),
            "bool" or "number" or "string" or "array" or "map" => FromJson(content),
            _ => throw new FormatException($"expected a known kind of case, found \"{value.Name}\""),
        };
    }

    private static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => json.GetString(),
        JsonValueKind.Number when json.TryGetInt64(out long signed) => signed,
        JsonValueKind.Number when json.TryGetUInt64(out ulong unsigned) => unsigned,
        JsonValueKind.Number => json.GetDouble(),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToArray(),
        _ => json.EnumerateObject().ToDictionary(property => (object)property.Name, property => FromJson(property.Value)),
    };

    // Like ValueTree's exact comparison, except that numbers compare by value whatever their format.
    private static string? FindDifference(object? expected, object? actual, string path)
    {
        switch (expected, actual)
        {
            case (long or ulong, long or ulong):
                return ToInt128(expected) == ToInt128(actual) ? null : $"{path}: expected {expected}, found {actual}";
            case (long or ulong or double, long or ulong or float or double):
                return Convert.ToDouble(expected) == Convert.ToDouble(actual) ? null : $"{path}: expected {expected}, found {actual}";
            case (object?[] items, object?[] actualItems) when items.Length == actualItems.Length:
                return items.Zip(actualItems).Select((pair, i) => FindDifference(pair.First, pair.Second, $"{path}[{i}]"))
                    .FirstOrDefault(difference => difference is not null);
            case (Dictionary<object, object?> map, Dictionary<object, object?> actualMap) when map.Count == actualMap.Count:
                return map.Zip(actualMap).Select(pair =>
                        FindDifference(pair.First.Key, pair.Second.Key, $"{path}.key")
                        ?? FindDifference(pair.First.Value, pair.Second.Value, $"{path}[{pair.First.Key}]"))
                    .FirstOrDefault(difference => difference is not null);
            default:
                return ValueTree.FindDifference(expected, actual, path);
        }
    }

    private static Int128 ToInt128(object? integer) => integer is ulong unsigned ? unsigned : (long)integer!;
}
