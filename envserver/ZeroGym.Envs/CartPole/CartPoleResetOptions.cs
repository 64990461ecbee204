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
    public const string LowKey = ResetBounds.LowKey;
    public const string HighKey = ResetBounds.HighKey;
    public const string StateKey = "state";

    /// <summary>Gymnasium's start distribution: every state variable uniform in [-0.05, 0.05).</summary>
    public const double DefaultLow = -0.05, DefaultHigh = 0.05;

    private const string EnvId = "CartPole-v1";

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

        var bounds = ResetBounds.Read(EnvId, options, DefaultLow, DefaultHigh);
        return new(bounds.Low, bounds.High, null);
    }

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
