using System.Globalization;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Core;

/// <summary>
/// The reset options <c>low</c> and <c>high</c> that bound a classic-control env's uniform start, read as Gymnasium's
/// <c>maybe_parse_reset_bounds</c> reads them (any number, a missing one keeps its default, low must not exceed high),
/// and checked in full before the env touches its state.
/// </summary>
/// <param name="Low">The lower bound of the uniform start.</param>
/// <param name="High">The upper bound of the uniform start.</param>
public readonly record struct ResetBounds(double Low, double High)
{
    /// <summary>The option that sets the lower bound.</summary>
    public const string LowKey = "low";

    /// <summary>The option that sets the upper bound.</summary>
    public const string HighKey = "high";

    /// <summary>
    /// The bounds for an env whose only reset options are <c>low</c> and <c>high</c>; any other option, a value that is
    /// not a number, low above high or an infinite range throws <see cref="ArgumentException"/> naming <paramref name="envId"/>.
    /// </summary>
    public static ResetBounds Parse(string envId, IReadOnlyDictionary<string, object?>? options, double defaultLow, double defaultHigh)
    {
        if (options is not null)
        {
            foreach (var key in options.Keys)
            {
                if (key is not (LowKey or HighKey))
                {
                    throw new ArgumentException($"{envId} reset options are '{LowKey}' and '{HighKey}'; got unknown option '{key}'");
                }
            }
        }

        return Read(envId, options, defaultLow, defaultHigh);
    }

    /// <summary>
    /// Reads <c>low</c> and <c>high</c> from <paramref name="options"/> and ignores its other keys, for an env that
    /// checks those itself; the values are checked as <see cref="Parse"/> checks them.
    /// </summary>
    public static ResetBounds Read(string envId, IReadOnlyDictionary<string, object?>? options, double defaultLow, double defaultHigh)
    {
        if (options is null || options.Count == 0) return new(defaultLow, defaultHigh);
        double low = options.TryGetValue(LowKey, out var lowValue) ? ReadBound(envId, LowKey, lowValue) : defaultLow;
        double high = options.TryGetValue(HighKey, out var highValue) ? ReadBound(envId, HighKey, highValue) : defaultHigh;
        if (low > high)
        {
            throw new ArgumentException($"{envId} reset option '{LowKey}' ({Format(low)}) must not exceed '{HighKey}' ({Format(high)})");
        }

        // numpy's uniform refuses a range it cannot represent, so reject it here rather than start from inf.
        if (!double.IsFinite(high - low))
        {
            throw new ArgumentException(
                $"{envId} reset options '{LowKey}' and '{HighKey}' must span a finite range; got {Format(low)} and {Format(high)}");
        }

        return new(low, high);
    }

    private static double ReadBound(string envId, string key, object? value) =>
        ResetOptionValues.TryReadNumber(value, out double number)
            ? number
            : throw new ArgumentException($"{envId} reset option '{key}' must be a number; got {Space.Describe(value)}");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
