using System.Text.Json;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>Cross-checks with msgpack-python in both directions, through tests/interop/msgpack_vectors.py.</summary>
public class PythonInteropTests
{
    private static readonly Lazy<Dictionary<string, (object? Value, object? PythonView)>> CSharpCases =
        new(() => CSharpValues().ToDictionary(value => value.Name, value => (value.Value, value.PythonView)));

    private static readonly Lazy<IReadOnlyDictionary<string, JsonElement>> PythonReadings =
        new(() => PythonMsgpack.Unpack(CSharpCases.Value.Select(value => (value.Key, WireValue.Serialize(value.Value.Value)))));

    public static TheoryData<string> PythonVectorNames() => new(PythonMsgpack.Vectors.Keys);

    public static TheoryData<string> CSharpValueNames() => new(CSharpCases.Value.Keys);

    [Theory]
    [MemberData(nameof(PythonVectorNames))]
    public void PythonPackedValue_DecodesToTheSameValueAndReencodesToTheSameBytes(string name)
    {
        PythonVector vector = PythonMsgpack.Vectors[name];

        object? decoded = WireValue.Deserialize(vector.Bytes);

        ValueTree.AssertEqual(vector.Value, decoded);
        Hex.AssertEqualBytes(vector.Bytes, WireValue.Serialize(decoded));
    }

    [Theory]
    [MemberData(nameof(CSharpValueNames))]
    public void CSharpEncodedValue_UnpacksInPythonToTheSameValue(string name)
    {
        object? expected = CSharpCases.Value[name].PythonView;

        object? unpacked = TaggedTree.ToValue(PythonReadings.Value[name]);

        ValueTree.AssertEqual(expected, unpacked);
    }

    /// <summary>Values the C# side writes, and the generic tree of what Python should read back.</summary>
    private static IEnumerable<(string Name, object? Value, object? PythonView)> CSharpValues()
    {
        long[] signed = [0, 1, 127, 128, 255, 256, 65535, 65536, int.MaxValue, 1L + int.MaxValue, uint.MaxValue, 1L + uint.MaxValue,
            long.MaxValue, -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, int.MinValue - 1L, long.MinValue];
        foreach (long integer in signed) yield return ($"long {integer}", integer, integer);
        yield return ("ulong above long", 1UL + long.MaxValue, 1UL + long.MaxValue);
        yield return ("ulong max", ulong.MaxValue, ulong.MaxValue);
        yield return ("byte", (byte)200, 200L);
        yield return ("sbyte", (sbyte)-100, -100L);
        yield return ("short", (short)-30000, -30000L);
        yield return ("ushort", (ushort)60000, 60000L);
        yield return ("int", 123456, 123456L);
        yield return ("uint", 4_000_000_000u, 4_000_000_000L);

        double[] doubles = [0.0, -0.0, 0.1, -1.5, double.Epsilon, double.MaxValue, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        foreach (double number in doubles) yield return ($"double {number:R} {BitConverter.DoubleToInt64Bits(number):x}", number, number);
        float[] singles = [0.5f, -0.0f, 0.1f, float.MaxValue, float.Epsilon, float.PositiveInfinity, float.NaN];
        foreach (float number in singles) yield return ($"float {number:R} {BitConverter.SingleToInt32Bits(number):x}", number, (double)number);

        foreach (int length in new[] { 0, 1, 31, 32, 255, 256, 65535, 65536 })
        {
            yield return ($"string of {length}", new string('z', length), new string('z', length));
        }

        yield return ("unicode string", "Grüße, Кириллица, ひらがな, 🍺❤", "Grüße, Кириллица, ひらがな, 🍺❤");
        foreach (int length in new[] { 0, 1, 255, 256, 65535, 65536 })
        {
            byte[] bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
            yield return ($"bin of {length}", bytes, bytes);
        }

        yield return ("ReadOnlyMemory<byte>", new ReadOnlyMemory<byte>([1, 2, 3], 1, 2), new byte[] { 2, 3 });
        yield return ("Memory<byte>", new Memory<byte>([9]), new byte[] { 9 });

        yield return ("List<int>", new List<int> { 1, -2, 300 }, new object?[] { 1L, -2L, 300L });
        yield return ("int[]", new[] { 5, 6 }, new object?[] { 5L, 6L });
        yield return ("array of 16", Enumerable.Range(0, 16).Select(i => (object?)(long)i).ToArray(),
            Enumerable.Range(0, 16).Select(i => (object?)(long)i).ToArray());
        object?[] big = Enumerable.Range(0, 70_000).Select(i => (object?)(i % 3 == 0 ? null : (long)i)).ToArray();
        yield return ("array of 70000", big, big);
        yield return ("Dictionary<string, int>", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 },
            new Dictionary<object, object?> { ["a"] = 1L, ["b"] = 2L });
        var bigMap = Enumerable.Range(0, 70_000).ToDictionary(i => (object)$"k{i}", i => (object?)(double)i);
        yield return ("map of 70000", bigMap, bigMap);
        var mixedKeys = new Dictionary<object, object?> { [1L] = "one", ["two"] = 2L, [new byte[] { 3 }] = true, [false] = null };
        yield return ("map with keys of many types", mixedKeys, mixedKeys);
        var nested = new object?[] { 1L, new object?[] { new Dictionary<object, object?> { ["deep"] = new object?[] { "x", 1.5 } } }, null };
        yield return ("nested", nested, nested);
        yield return ("NDArray", NDArray.From(new byte[] { 7, 8 }),
            new Dictionary<object, object?> { ["dtype"] = "uint8", ["shape"] = new object?[] { 2L }, ["data"] = new byte[] { 7, 8 } });

        foreach (int length in new[] { 1, 2, 3, 4, 8, 16, 17, 255, 256, 65536 })
        {
            var extension = new WireExtension(12, Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
            yield return ($"ext of {length}", extension, extension);
        }

        (long Seconds, uint Nanoseconds)[] moments = [(0, 0), (1_700_000_000, 0), (uint.MaxValue, 0), (0, 1),
            (1_700_000_000, 123_456_789), ((1L << 34) - 1, 999_999_999), (1L << 34, 0), (-1, 0), (-1, 999_999_999),
            (long.MinValue, 0), (long.MaxValue, 999_999_999)];
        foreach (var (seconds, nanoseconds) in moments)
        {
            var timestamp = new WireTimestamp(seconds, nanoseconds);
            yield return ($"timestamp {seconds} {nanoseconds}", timestamp, timestamp);
        }

    }
}
