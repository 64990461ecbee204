using ZeroGym.Arrays;
using ZeroGym.Envs.Rendering;

namespace ZeroGym.Envs.Pendulum;

/// <summary>
/// Draws a Pendulum frame with the geometry and colours of Gymnasium's renderer: a 500-pixel square showing
/// [-2.2, 2.2] m on both axes, the pivot at the centre, the rod as a red rectangle with round ends and a black axle.
/// Gymnasium's torque arrow is an image file it ships, which is not drawn here. Gymnasium draws upside down and flips
/// the surface at the end; here every row goes through <see cref="Flip(double)"/> instead.
/// </summary>
internal static class PendulumRenderer
{
    private const int ScreenSize = 500;
    private const double Bound = 2.2;
    private const double Scale = ScreenSize / (Bound * 2); // pixels per metre
    private const int Offset = ScreenSize / 2;
    private const double RodLength = PendulumEnv.Length * Scale;
    private const double RodWidth = 0.2 * Scale;

    private static readonly Rgb RodColor = new(204, 77, 77);

    /// <summary>A uint8 (500, 500, 3) frame of the pendulum at angle <paramref name="theta"/> (0 upright).</summary>
    public static NDArray Draw(double theta)
    {
        var canvas = new Canvas(ScreenSize, ScreenSize, Rgb.White);

        // The rod lies along +x from the pivot, rotated by theta + pi/2 as pygame's Vector2.rotate_rad.
        double angle = theta + Math.PI / 2;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        ReadOnlySpan<(double X, double Y)> corners =
        [
            (0, -RodWidth / 2), (0, RodWidth / 2), (RodLength, RodWidth / 2), (RodLength, -RodWidth / 2),
        ];
        Span<CanvasPoint> rod = stackalloc CanvasPoint[4];
        for (int i = 0; i < corners.Length; i++)
        {
            var (x, y) = corners[i];
            rod[i] = new(x * cos - y * sin + Offset, Flip(x * sin + y * cos + Offset));
        }

        canvas.FillConvexPolygon(rod, RodColor);
        int capRadius = (int)(RodWidth / 2);
        canvas.FillCircle(Offset, Flip(Offset), capRadius, RodColor);
        // Gymnasium passes int(...) of the tip, which truncates toward zero like the casts here.
        canvas.FillCircle((int)(RodLength * cos + Offset), Flip((int)(RodLength * sin + Offset)), capRadius, RodColor);
        canvas.FillCircle(Offset, Flip(Offset), (int)(0.05 * Scale), Rgb.Black);
        return canvas.ToNDArray();
    }

    /// <summary>Where Gymnasium's final vertical flip takes pixel row (or centre line) <paramref name="y"/>.</summary>
    private static double Flip(double y) => ScreenSize - 1 - y;

    private static int Flip(int y) => ScreenSize - 1 - y;
}
