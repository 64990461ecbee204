using System.Collections;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.CartPole;

/// <summary>
/// The reset options of CartPole-v1, checked in full before the env touches its state: <c>low</c> and
/// <c>high</c> bound the uniform start (Gymnasium's <c>maybe_parse_reset_bounds</c>), <c>state</c> gives the
/// exact start instead.
/// </summary>
internal readonly record struct CartPoleResetOptions(double Low, double High, double[]? State)
{
    public const string LowKey = "low";
    public const string HighKey = "high";
    public const string StateKey = "state";

    /// <summary>Gymnasium's start distribution: every state variable uniform in [-0.05, 0.05).</summary>
    public const double DefaultLow = -0.05, DefaultHigh = 0.05;

    public static readonly CartPoleResetOptions Default = new(DefaultLow, DefaultHigh, null);

    /// <summary>Reads the options; anything malformed throws <see cref="ArgumentException"/>.</summary>
    /// <remarks>Option values arrive decoded from MessagePack (long, double, object?[]) or as <see cref="NDArray"/>.</remarks>
    public static CartPoleResetOptions Parse(IReadOnlyDictionary<string, object?>? options)
    {
        if (options is null || options.Count == 0) return Default;
        foreach (var key in options.Keys)
        {
            if (key is not (LowKey or HighKey or StateKey))
            {
                throw new ArgumentException(
                    $"CartPole-v1 reset options are '{LowKey}', '{HighKey}' and '{StateKey}'; got unknown option '{key}'");
            }
        }

        if (options.TryGetValue(StateKey, out var state))
        {
            if (options.ContainsKey(LowKey) || options.ContainsKey(HighKey))
            {
                throw new ArgumentException(
                    $"CartPole-v1 reset option '{StateKey}' sets the exact start, so '{LowKey}' and '{HighKey}' cannot be given with it");
            }

            return new(DefaultLow, DefaultHigh, ParseState(state));
        }

        double low = options.TryGetValue(LowKey, out var lowValue) ? ParseBound(LowKey, lowValue) : DefaultLow;
        double high = options.TryGetValue(HighKey, out var highValue) ? ParseBound(HighKey, highValue) : DefaultHigh;
        if (low > high)
        {
            throw new ArgumentException(
                $"CartPole-v1 reset option '{LowKey}' ({Format(low)}) must not exceed '{HighKey}' ({Format(high)})");
        }

        // numpy's uniform refuses a range it cannot represent, so reject it here rather than start from inf.
        if (!double.IsFinite(high - low))
        {
            throw new ArgumentException(
                $"CartPole-v1 reset options '{LowKey}' and '{HighKey}' must span a finite range; got {Format(low)} and {Format(high)}");
        }

        return new(low, high, null);
    }

    private static double ParseBound(string key, object? value) =>
        ResetOptionValues.TryReadNumber(value, out double number)
            ? number
            : throw new ArgumentException($"CartPole-v1 reset option '{key}' must be a number; got {Space.Describe(value)}");

    private static double[] ParseState(object? value)
    {
        var state = new double[4];
        bool read = value switch
        {
            NDArray { Rank: 1, Length: 4 } array when array.DType != DType.Bool => ReadArray(array, state),
            IList { Count: 4 } list => ReadList(list, state),
            _ => false,
        };
        if (!read)
        {
            throw new ArgumentException(
                $"CartPole-v1 reset option '{StateKey}' must be 4 numbers (x, x_dot, theta, theta_dot); got {Space.Describe(value)}");
        }

        for (int i = 0; i < state.Length; i++)
        {
            if (!double.IsFinite(state[i]))
            {
                throw new ArgumentException(
                    $"CartPole-v1 reset option '{StateKey}' must be 4 finite numbers; element {i} is {Format(state[i])}");
            }
        }

        return state;
    }

    private static bool ReadArray(NDArray array, double[] state)
    {
        for (int i = 0; i < state.Length; i++) state[i] = array.GetDouble(i);
        return true;
    }

    private static bool ReadList(IList list, double[] state)
    {
        for (int i = 0; i < state.Length; i++)
        {
            if (!ResetOptionValues.TryReadNumber(list[i], out state[i])) return false;
        }

        return true;
    }

    private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
