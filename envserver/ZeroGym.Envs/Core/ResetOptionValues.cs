using ZeroGym.Arrays;

namespace ZeroGym.Envs.Core;

/// <summary>Reading reset option values as they arrive decoded from MessagePack (long, double, object?[]) or as <see cref="NDArray"/>.</summary>
public static class ResetOptionValues
{
    /// <summary>A number as Python's <c>float()</c> reads one: any integer or float, or an array of one element.</summary>
    public static bool TryReadNumber(object? value, out double number)
    {
        switch (value)
        {
            case long or int or short or sbyte or ulong or uint or ushort or byte or double or float:
                number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                return true;
            case NDArray { Length: 1 } array when array.DType != DType.Bool:
                number = array.GetDouble(0);
                return true;
            default:
                number = 0;
                return false;
        }
    }
}
