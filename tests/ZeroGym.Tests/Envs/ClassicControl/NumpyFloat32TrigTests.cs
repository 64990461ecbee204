using System.Globalization;
using ZeroGym.Envs.Core;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Envs.ClassicControl;

/// <summary>
/// numpy's float32 cos and sin, bit for bit. The embedded cases were printed by `/usr/bin/python3` (numpy 1.24.2) and are
/// arguments near 0, where Acrobot starts, whose numpy result is not the correctly rounded one; the long comparison runs
/// tests/interop/numpy_float32_trig.py at test time.
/// </summary>
public class NumpyFloat32TrigTests
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [InlineData(0x3da80b7fu, 0x3f7f2382u, 0x3f7f2381u)]
    [InlineData(0xbd947bd3u, 0x3f7f53d4u, 0x3f7f53d5u)]
    public void Cos_NearZero_IsNumpysResultNotTheRoundedOne(uint argument, uint numpy, uint rounded)
    {
        float x = BitConverter.UInt32BitsToSingle(argument);

        Assert.Equal(rounded, BitConverter.SingleToUInt32Bits((float)Math.Cos(x)));
        Assert.Equal(numpy, BitConverter.SingleToUInt32Bits(NumpyFloat32Trig.Cos(x)));
    }

    [Theory]
    [InlineData(0xbdaff3bau, 0xbdafbc55u, 0xbdafbc56u)]
    [InlineData(0xbd9a98f6u, 0xbd9a7362u, 0xbd9a7363u)]
    public void Sin_NearZero_IsNumpysResultNotTheRoundedOne(uint argument, uint numpy, uint rounded)
    {
        float x = BitConverter.UInt32BitsToSingle(argument);

        Assert.Equal(rounded, BitConverter.SingleToUInt32Bits((float)Math.Sin(x)));
        Assert.Equal(numpy, BitConverter.SingleToUInt32Bits(NumpyFloat32Trig.Sin(x)));
    }

    [Fact]
    public void CosAndSin_OfManyArguments_MatchNumpyBitForBit()
    {
        string script = Path.Combine(RepositoryRoot.Path, "tests", "interop", "numpy_float32_trig.py");
        Assert.True(File.Exists(Python), $"expected {Python} (Debian's python3 with numpy: apt-get install python3-numpy), found no such file");
        var lines = ExternalProcess.Run(Python, [script, "20000", "7"], RepositoryRoot.Path).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var mismatches = new List<string>();
        foreach (var line in lines)
        {
            var fields = line.Split(' ').Select(field => uint.Parse(field, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            float x = BitConverter.UInt32BitsToSingle(fields[0]);
            uint cos = BitConverter.SingleToUInt32Bits(NumpyFloat32Trig.Cos(x)), sin = BitConverter.SingleToUInt32Bits(NumpyFloat32Trig.Sin(x));
            if (cos != fields[1]) mismatches.Add($"cos({x:R}) numpy {fields[1]:x8}, ours {cos:x8}");
            if (sin != fields[2]) mismatches.Add($"sin({x:R}) numpy {fields[2]:x8}, ours {sin:x8}");
        }

        Assert.True(lines.Length > 100_000, $"expected the script's 100,011 arguments, found {lines.Length} lines");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {lines.Length} arguments differ: {string.Join("; ", mismatches.Take(10))}");
    }
}
