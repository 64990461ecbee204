using System.Collections;
using System.Globalization;
using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.MuJoCo;

/// <summary>
/// The reset options of the MuJoCo envs: <c>qpos</c> (nq numbers) and <c>qvel</c> (nv numbers) start the
/// episode from an exact state instead of the env's random draw, for checking against published trajectories.
/// Both are checked in full before the env touches its state.
/// </summary>
/// <param name="Qpos">The exact positions, or null to draw them.</param>
/// <param name="Qvel">The exact velocities, or null to draw them.</param>
internal readonly record struct MuJoCoResetOptions(double[]? Qpos, double[]? Qvel)
{
    public const string QposKey = "qpos";
    public const string QvelKey = "qvel";

    /// <summary>Reads the options of <paramref name="envId"/>; anything malformed throws <see cref="ArgumentException"/>.</summary>
    /// <remarks>Values arrive decoded from MessagePack (lists of long or double) or as <see cref="NDArray"/>.</remarks>
    public static MuJoCoResetOptions Parse(string envId, IReadOnlyDictionary<string, object?>? options, int nq, int nv)
    {
        if (options is null || options.Count == 0) return default;
        foreach (var key in options.Keys)
        {
            if (key is not (QposKey or QvelKey))
            {
                throw new ArgumentException($"{envId} reset options are '{QposKey}' and '{QvelKey}'; got unknown option '{key}'");
            }
        }

        return new(
            options.TryGetValue(QposKey, out var qpos) ? ParseVector(envId, QposKey, qpos, nq) : null,
            options.TryGetValue(QvelKey, out var qvel) ? ParseVector(envId, QvelKey, qvel, nv) : null);
    }

    private static double[] ParseVector(string envId, string key, object? value, int length)
    {
        var numbers = value switch
        {
            NDArray { Rank: 1 } array when array.Length == length && array.DType != DType.Bool =>
                Enumerable.Range(0, length).Select(array.GetDouble).ToArray(),
            IList list when list.Count == length && list.Cast<object?>().All(IsNumber) =>
                list.Cast<object?>().Select(item => Convert.ToDouble(item, CultureInfo.InvariantCulture)).ToArray(),
            _ => throw new ArgumentException($"{envId} reset option '{key}' must be {length} numbers; got {Space.Describe(value)}"),
        };

        int notFinite = Array.FindIndex(numbers, number => !double.IsFinite(number));
        if (notFinite >= 0)
        {
            throw new ArgumentException(
                $"{envId} reset option '{key}' must be {length} finite numbers; element {notFinite} is "
                + numbers[notFinite].ToString("R", CultureInfo.InvariantCulture));
        }

        return numbers;
    }

    private static bool IsNumber(object? value) =>
        value is long or int or short or sbyte or ulong or uint or ushort or byte or double or float;
}
