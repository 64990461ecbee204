namespace ZeroGym.Torch.Interop;

// Codes of the shim's ABI; the values must equal the enums in Native/zerogym_torch.h (beside this file).

internal enum DeviceKind
{
    Cpu = 0,
    Cuda = 1,
}

internal enum UnaryOp
{
    Neg = 0,
    Sqrt = 1,
    Exp = 2,
    Log = 3,
    Abs = 4,
    Relu = 5,
    Tanh = 6,
    Sigmoid = 7,
    Sum = 8,
    Mean = 9,
    Detach = 10,
    Clone = 11,
    Contiguous = 12,
}

internal enum BinaryOp
{
    Add = 0,
    Sub = 1,
    Mul = 2,
    Div = 3,
    MatMul = 4,
    Minimum = 5,
    Maximum = 6,
    Eq = 7,
    IndexSelect0 = 8,
    MseLoss = 9,
}

/// <summary>Operations between a tensor t and a number s.</summary>
internal enum ScalarOp
{
    AddS = 0,
    SubS = 1,
    SSub = 2,
    MulS = 3,
    DivS = 4,
    SDiv = 5,
    PowS = 6,
    LtS = 7,
    GtS = 8,
}

internal enum DimOp
{
    Sum = 0,
    Mean = 1,
    Argmax = 2,
    Softmax = 3,
    LogSoftmax = 4,
    Squeeze = 5,
    Unsqueeze = 6,
}
