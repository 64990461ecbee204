using ZeroGym.Torch.Interop;

namespace ZeroGym.Torch;

// Elementwise operations broadcast as in PyTorch. A number combined with an integer tensor keeps it integer when
// the number is whole (as `t + 2` does in Python) and makes it floating-point otherwise.
public sealed partial class Tensor
{
    /// <summary>Elementwise sum.</summary>
    public static Tensor operator +(Tensor left, Tensor right) => Binary(BinaryOp.Add, left, right);

    /// <summary>Adds a number to every element.</summary>
    public static Tensor operator +(Tensor left, double right) => left.WithNumber(ScalarOp.AddS, right);

    /// <summary>Adds a number to every element.</summary>
    public static Tensor operator +(double left, Tensor right) => right.WithNumber(ScalarOp.AddS, left);

    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor left, Tensor right) => Binary(BinaryOp.Sub, left, right);

    /// <summary>Subtracts a number from every element.</summary>
    public static Tensor operator -(Tensor left, double right) => left.WithNumber(ScalarOp.SubS, right);

    /// <summary>A number minus each element.</summary>
    public static Tensor operator -(double left, Tensor right) => right.WithNumber(ScalarOp.SSub, left);

    /// <summary>Elementwise product.</summary>
    public static Tensor operator *(Tensor left, Tensor right) => Binary(BinaryOp.Mul, left, right);

    /// <summary>Multiplies every element by a number.</summary>
    public static Tensor operator *(Tensor left, double right) => left.WithNumber(ScalarOp.MulS, right);

    /// <summary>Multiplies every element by a number.</summary>
    public static Tensor operator *(double left, Tensor right) => right.WithNumber(ScalarOp.MulS, left);

    /// <summary>Elementwise true division (integers give floats).</summary>
    public static Tensor operator /(Tensor left, Tensor right) => Binary(BinaryOp.Div, left, right);

    /// <summary>Divides every element by a number (integers give floats).</summary>
    public static Tensor operator /(Tensor left, double right) => left.WithNumber(ScalarOp.DivS, right);

    /// <summary>A number divided by each element (integers give floats).</summary>
    public static Tensor operator /(double left, Tensor right) => right.WithNumber(ScalarOp.SDiv, left);

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor tensor) => tensor.Unary(UnaryOp.Neg);

    /// <summary>Matrix product with torch.matmul's broadcasting rules.</summary>
    public Tensor MatMul(Tensor other) => Binary(BinaryOp.MatMul, this, other);

    /// <summary>Each element raised to <paramref name="exponent"/>.</summary>
    public Tensor Pow(double exponent) => WithNumber(ScalarOp.PowS, exponent);

    /// <summary>Elementwise square root.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);

    /// <summary>Elementwise eˣ.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp);

    /// <summary>Elementwise natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryOp.Log);

    /// <summary>Elementwise absolute value.</summary>
    public Tensor Abs() => Unary(UnaryOp.Abs);

    /// <summary>Each element limited to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public Tensor Clamp(double min, double max) => new(NativeMethods.Clamp(Handle, min, max));

    /// <summary>The elementwise smaller of this and <paramref name="other"/>.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, this, other);

    /// <summary>The elementwise larger of this and <paramref name="other"/>.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, this, other);

    /// <summary>The sum of all elements, as a scalar tensor.</summary>
    public Tensor Sum() => Unary(UnaryOp.Sum);

    /// <summary>Sums along <paramref name="dim"/>, which is removed unless <paramref name="keepDim"/>.</summary>
    public Tensor Sum(long dim, bool keepDim = false) => AlongDim(DimOp.Sum, dim, keepDim);

    /// <summary>The mean of all elements, as a scalar tensor.</summary>
    public Tensor Mean() => Unary(UnaryOp.Mean);

    /// <summary>Means along <paramref name="dim"/>, which is removed unless <paramref name="keepDim"/>.</summary>
    public Tensor Mean(long dim, bool keepDim = false) => AlongDim(DimOp.Mean, dim, keepDim);

    /// <summary>The standard deviation of all elements, with Bessel's correction when <paramref name="unbiased"/>.</summary>
    public Tensor Std(bool unbiased = true) => new(NativeMethods.Std(Handle, unbiased ? 1 : 0));

    /// <summary>The largest entries along <paramref name="dim"/> and their int64 positions.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        NativeMethods.MaxDim(Handle, dim, keepDim ? 1 : 0, out TensorHandle values, out TensorHandle indices);
        return (new Tensor(values), new Tensor(indices));
    }

    /// <summary>The int64 positions of the largest entries along <paramref name="dim"/>.</summary>
    public Tensor Argmax(long dim, bool keepDim = false) => AlongDim(DimOp.Argmax, dim, keepDim);

    /// <summary>Entries picked along <paramref name="dim"/> by the int64 <paramref name="index"/> (torch.gather),
    /// e.g. the Q-value of each taken action.</summary>
    public Tensor Gather(long dim, Tensor index) => new(NativeMethods.Gather(Handle, dim, index.Handle));

    /// <summary>Elementwise equality, as a bool tensor.</summary>
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, this, other);

    /// <summary>Elementwise this &lt; <paramref name="value"/>, as a bool tensor.</summary>
    public Tensor Lt(double value) => WithNumber(ScalarOp.LtS, value);

    /// <summary>Elementwise this &gt; <paramref name="value"/>, as a bool tensor.</summary>
    public Tensor Gt(double value) => WithNumber(ScalarOp.GtS, value);

    /// <summary>max(x, 0) elementwise.</summary>
    public Tensor Relu() => Unary(UnaryOp.Relu);

    /// <summary>Elementwise hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryOp.Tanh);

    /// <summary>1 / (1 + e⁻ˣ) elementwise.</summary>
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);

    /// <summary>exp(x) normalised to sum 1 along <paramref name="dim"/>.</summary>
    public Tensor Softmax(long dim) => AlongDim(DimOp.Softmax, dim);

    /// <summary>The logarithm of <see cref="Softmax"/>, computed stably.</summary>
    public Tensor LogSoftmax(long dim) => AlongDim(DimOp.LogSoftmax, dim);

    /// <summary>
    /// <paramref name="samples"/> int64 category indices drawn without replacement from each row of these
    /// (unnormalised) probabilities, using torch's generator (<see cref="LibTorch.ManualSeed"/>).
    /// </summary>
    public Tensor Multinomial(long samples) => new(NativeMethods.Multinomial(Handle, samples));

    private static Tensor Binary(BinaryOp op, Tensor left, Tensor right) =>
        new(NativeMethods.Binary(op, left.Handle, right.Handle));

    private Tensor Unary(UnaryOp op) => new(NativeMethods.Unary(op, Handle));

    private Tensor WithNumber(ScalarOp op, double value) => new(NativeMethods.Scalar(op, Handle, value));

    private Tensor AlongDim(DimOp op, long dim, bool keepDim = false) =>
        new(NativeMethods.Dim(op, Handle, dim, keepDim ? 1 : 0));
}
