namespace ZeroGym.Torch;

/// <summary>An error reported by libtorch (its message, without the C++ backtrace) or by ZeroGym.Torch's checks.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message)
    {
    }
}
