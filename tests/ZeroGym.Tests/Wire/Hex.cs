namespace ZeroGym.Tests.Wire;

/// <summary>Hex text in the forms the fixtures use: "cc-80" (msgpack-test-suite) or "cc80" (the Python script).</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace("-", ""));

    /// <summary>Lower-case bytes joined by dashes, as msgpack-test-suite lists its encodings.</summary>
    public static string Dashed(ReadOnlySpan<byte> bytes) =>
        string.Join('-', Convert.ToHexString(bytes).ToLowerInvariant().Chunk(2).Select(pair => new string(pair)));

    /// <summary>Fails with the first differing offset rather than two walls of hex.</summary>
    public static void AssertEqualBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        int common = Math.Min(expected.Length, actual.Length);
        int offset = expected[..common].CommonPrefixLength(actual[..common]);
        if (offset == common && expected.Length == actual.Length) return;
        Assert.Fail(
            $"bytes differ at offset {offset}: expected {expected.Length} bytes, found {actual.Length}; " +
            $"expected ...{Convert.ToHexString(expected[offset..Math.Min(expected.Length, offset + 16)])}, " +
            $"found ...{Convert.ToHexString(actual[offset..Math.Min(actual.Length, offset + 16)])}");
    }
}
