namespace ZeroGym.Envs.Core;

/// <summary>
/// numpy's <c>np.cos</c> and <c>np.sin</c> of a float32, which are not the correctly rounded results: on x86-64 with
/// FMA (and on the other SIMD targets numpy builds) numpy computes them in float32 with its own algorithm, a Cody-Waite
/// reduction by pi/2 in three fused steps and minimax polynomials on [-pi/4, pi/4], whose last bit differs from
/// <c>(float)Math.Cos(x)</c> for about one argument in a thousand near 0. Gymnasium meets it where an env takes the
/// cosine of a float32 state (Acrobot's first observation), so the constants and the order of operations here are
/// numpy's (1.2x, <c>loops_trigonometric.dispatch.c.src</c>, as built by GCC: checked against Debian's numpy 1.24.2).
/// </summary>
internal static class NumpyFloat32Trig
{
    // Beyond these magnitudes numpy calls the C library's cosf/sinf instead.
    private const float CosineReductionLimit = 71476.0625f;
    private const float SineReductionLimit = 117435.992f;

    private static readonly float TwoOverPi = Bits(0x3F22F983);

    // -pi/2 split into three floats: the first two exact, the third what remains.
    private static readonly float MinusHalfPiHigh = Bits(0xBFC90FD8);
    private static readonly float MinusHalfPiMiddle = Bits(0xB4A8885A);
    private static readonly float MinusHalfPiLow = Bits(0xA7C234C4);

    // Adding then subtracting 1.5 * 2^23 rounds a float to the nearest integer.
    private static readonly float RoundingMagic = Bits(0x4B400000);

    private static readonly float Cos8 = Bits(0x37CC730B), Cos6 = Bits(0xBAB6036E), Cos4 = Bits(0x3D2AAA9E), Cos2 = Bits(0xBF000000);
    private static readonly float Sin9 = Bits(0x363E9DDE), Sin7 = Bits(0xB95035DD), Sin5 = Bits(0x3C0888CD), Sin3 = Bits(0xBE2AAAAB);

    /// <summary><c>np.cos(np.float32(x))</c>.</summary>
    public static float Cos(float x)
    {
        if (float.IsNaN(x)) return float.NaN;
        if (Math.Abs(x) > CosineReductionLimit) return MathF.Cos(x);

        // cos(x) = sin(x + pi/2): one quadrant further along.
        return Evaluate(x, quadrantShift: 1);
    }

    /// <summary><c>np.sin(np.float32(x))</c>.</summary>
    public static float Sin(float x)
    {
        if (float.IsNaN(x)) return float.NaN;
        if (Math.Abs(x) > SineReductionLimit) return MathF.Sin(x);
        return Evaluate(x, quadrantShift: 0);
    }

    private static float Evaluate(float x, int quadrantShift)
    {
        // numpy's source multiplies, then adds the rounding constant; the compiler that builds numpy fuses the two
        // (GCC contracts them by default), and the quadrant of a large argument depends on it.
        float quadrant = MathF.FusedMultiplyAdd(x, TwoOverPi, RoundingMagic) - RoundingMagic;
        float reduced = MathF.FusedMultiplyAdd(quadrant, MinusHalfPiHigh, x);
        reduced = MathF.FusedMultiplyAdd(quadrant, MinusHalfPiMiddle, reduced);
        reduced = MathF.FusedMultiplyAdd(quadrant, MinusHalfPiLow, reduced);
        float squared = reduced * reduced;

        int turn = (int)quadrant + quadrantShift;
        float value = (turn & 1) == 0 ? SinePolynomial(reduced, squared) : CosinePolynomial(squared);

        // numpy negates by subtracting from +0, so a zero result stays +0.
        return (turn & 2) == 2 ? 0f - value : value;
    }

    private static float CosinePolynomial(float squared)
    {
        float r = MathF.FusedMultiplyAdd(Cos8, squared, Cos6);
        r = MathF.FusedMultiplyAdd(r, squared, Cos4);
        r = MathF.FusedMultiplyAdd(r, squared, Cos2);
        return MathF.FusedMultiplyAdd(r, squared, 1f);
    }

    private static float SinePolynomial(float reduced, float squared)
    {
        float r = MathF.FusedMultiplyAdd(Sin9, squared, Sin7);
        r = MathF.FusedMultiplyAdd(r, squared, Sin5);
        r = MathF.FusedMultiplyAdd(r, squared, Sin3);
        r = MathF.FusedMultiplyAdd(r, squared, 0f);
        return MathF.FusedMultiplyAdd(r, reduced, reduced);
    }

    private static float Bits(uint bits) => BitConverter.UInt32BitsToSingle(bits);
}
