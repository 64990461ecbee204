using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.MountainCar;

/// <summary>
/// What both Mountain Car envs share: the valley's extent and shape, the speed limit, the observation space and the
/// start distribution.
/// </summary>
internal static class MountainCarTrack
{
    public const double MinPosition = -1.2, MaxPosition = 0.6; // m
    public const double MaxSpeed = 0.07;

    /// <summary>The start: position uniform in [-0.6, -0.4), velocity 0 (Gymnasium's default reset bounds).</summary>
    public const double DefaultLow = -0.6, DefaultHigh = -0.4;

    /// <summary>Box([-1.2, -0.07], [0.6, 0.07], float32): position and velocity.</summary>
    public static readonly Box ObservationSpace = new(
        NDArray.From([(float)MinPosition, (float)-MaxSpeed]), NDArray.From([(float)MaxPosition, (float)MaxSpeed]));

    /// <summary>The height of the valley floor at <paramref name="position"/>, sin(3 x) · 0.45 + 0.55 (for drawing).</summary>
    public static double Height(double position) => Math.Sin(3 * position) * 0.45 + 0.55;
}
