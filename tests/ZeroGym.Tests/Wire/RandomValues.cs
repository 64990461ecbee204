using System.Text;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>Seeded random generic trees that exercise every format, its size boundaries and odd float bits.</summary>
internal static class RandomValues
{
    private static readonly long[] IntegerEdges =
    [
        0, 1, 127, 128, 255, 256, 65535, 65536, int.MaxValue, 1L + int.MaxValue, uint.MaxValue, 1L + uint.MaxValue,
        long.MaxValue, -1, -32, -33, -128, -129, -32768, -32769, int.MinValue, int.MinValue - 1L, long.MinValue,
    ];

    private static readonly int[] LengthEdges = [0, 1, 2, 3, 4, 8, 15, 16, 17, 31, 32, 255, 256];

    // Text from every UTF-8 width: ASCII, 2-byte, 3-byte and surrogate pairs (4-byte).
    private static readonly string[] TextPieces = ["a", "Z", "0", " ", "\0", "é", "Ж", "ひ", "€", "\uFFFD", "🍺", "𝄞"];

    /// <param name="random">The seeded source.</param>
    /// <param name="depth">How many arrays and maps may nest below this value.</param>
    /// <param name="maxLength">Bounds the length of each str, bin and ext (and thereby the encoding).</param>
    public static object? Tree(Random random, int depth = 4, int maxLength = 70_000)
    {
        int kind = random.Next(depth > 0 ? 14 : 11);
        return kind switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => IntegerNearEdge(random),
            3 => random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64),
            4 => (ulong)long.MaxValue + 1 + (ulong)random.NextInt64(0, long.MaxValue),
            5 => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue)),
            6 => BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue)),
            7 => Text(random, Length(random, maxLength) / 2),
            8 => Bytes(random, Length(random, maxLength)),
            9 => Timestamp(random),
            10 => new WireExtension(ExtensionType(random), Bytes(random, Length(random, maxLength))),
            11 or 12 => Enumerable.Range(0, Count(random)).Select(_ => Tree(random, depth - 1, maxLength)).ToArray(),
            _ => Map(random, depth, maxLength),
        };
    }

    private static long IntegerNearEdge(Random random)
    {
        long edge = IntegerEdges[random.Next(IntegerEdges.Length)];
        int step = random.Next(-1, 2);

        // Stay inside long; values above long.MaxValue are kind 4's.
        return (step > 0 && edge == long.MaxValue) || (step < 0 && edge == long.MinValue) ? edge : edge + step;
    }

    private static Dictionary<object, object?> Map(Random random, int depth, int maxLength)
    {
        var map = new Dictionary<object, object?>();
        int count = Count(random);
        while (map.Count < count)
        {
            object key = random.Next(2) == 0 ? Text(random, random.Next(6)) : random.NextInt64(-1000, 1000);
            map.TryAdd(key, Tree(random, depth - 1, maxLength));
        }

        return map;
    }

    private static int Length(Random random, int maxLength) => Math.Min(maxLength, random.Next(20) switch
    {
        0 => random.Next(257, 70_000),
        < 10 => LengthEdges[random.Next(LengthEdges.Length)],
        _ => random.Next(40),
    });

    private static int Count(Random random) => random.Next(10) == 0 ? random.Next(15, 18) : random.Next(5);

    private static string Text(Random random, int pieces)
    {
        var text = new StringBuilder();
        for (int i = 0; i < pieces; i++) text.Append(TextPieces[random.Next(TextPieces.Length)]);
        return text.ToString();
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static WireTimestamp Timestamp(Random random)
    {
        long seconds = random.Next(4) switch
        {
            0 => random.NextInt64(0, 1L << 32),
            1 => random.NextInt64(0, 1L << 34),
            2 => random.NextInt64(long.MinValue, long.MaxValue),
            _ => random.NextInt64(-5, 5),
        };
        uint nanoseconds = random.Next(2) == 0 ? 0 : (uint)random.Next(1_000_000_000);
        return new WireTimestamp(seconds, nanoseconds);
    }

    // Any type but -1, which is the timestamp and reads back as one.
    private static sbyte ExtensionType(Random random)
    {
        sbyte type = (sbyte)random.Next(-128, 128);
        return type == -1 ? (sbyte)0 : type;
    }
}
