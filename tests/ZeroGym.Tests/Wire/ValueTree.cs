using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>
/// Exact comparison of generic trees (what <see cref="WireValue.ReadTree"/> returns): same .NET types,
/// floats bit for bit (so NaN equals NaN and -0.0 differs from 0.0), maps in the same order.
/// </summary>
internal static class ValueTree
{
    public static void AssertEqual(object? expected, object? actual)
    {
        string? difference = FindDifference(expected, actual, "value");
        if (difference is not null) Assert.Fail(difference);
    }

    /// <summary>A sentence naming the first place the trees differ, or null when they are equal.</summary>
    public static string? FindDifference(object? expected, object? actual, string path)
    {
        if (expected is null && actual is null) return null;
        if (expected is null || actual is null || expected.GetType() != actual.GetType()) return Mismatch();

        switch (expected)
        {
            case float number:
                return BitConverter.SingleToInt32Bits(number) == BitConverter.SingleToInt32Bits((float)actual) ? null : Mismatch();
            case double number:
                return BitConverter.DoubleToInt64Bits(number) == BitConverter.DoubleToInt64Bits((double)actual) ? null : Mismatch();
            case byte[] bytes:
                return bytes.AsSpan().SequenceEqual((byte[])actual)
                    ? null
                    : $"{path}: expected bin {Convert.ToHexString(bytes)}, found bin {Convert.ToHexString((byte[])actual)}";
            case object?[] items:
                var actualItems = (object?[])actual;
                if (items.Length != actualItems.Length)
                {
                    return $"{path}: expected an array of {items.Length}, found an array of {actualItems.Length}";
                }

                for (int i = 0; i < items.Length; i++)
                {
                    string? difference = FindDifference(items[i], actualItems[i], $"{path}[{i}]");
                    if (difference is not null) return difference;
                }

                return null;
            case Dictionary<object, object?> map:
                var actualMap = (Dictionary<object, object?>)actual;
                if (map.Count != actualMap.Count)
                {
                    return $"{path}: expected a map of {map.Count}, found a map of {actualMap.Count}";
                }

                foreach (var (entry, actualEntry) in map.Zip(actualMap))
                {
                    string? difference = FindDifference(entry.Key, actualEntry.Key, $"{path}.key")
                        ?? FindDifference(entry.Value, actualEntry.Value, $"{path}[{Describe(entry.Key)}]");
                    if (difference is not null) return difference;
                }

                return null;
            default:
                return expected.Equals(actual) ? null : Mismatch();
        }

        string Mismatch() => $"{path}: expected {Describe(expected)}, found {Describe(actual)}";
    }

    private static string Describe(object? value)
    {
        string text = value switch
        {
            null => "null",
            float number => $"float {number:R} (0x{BitConverter.SingleToInt32Bits(number):x8})",
            double number => $"double {number:R} (0x{BitConverter.DoubleToInt64Bits(number):x16})",
            string s => $"string \"{s}\"",
            _ => $"{value.GetType().Name} {value}",
        };
        return text.Length <= 120 ? text : text[..120] + "...";
    }
}
