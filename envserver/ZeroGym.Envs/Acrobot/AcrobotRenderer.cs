using ZeroGym.Arrays;
using ZeroGym.Envs.Rendering;

namespace ZeroGym.Envs.Acrobot;

/// <summary>
/// Draws an Acrobot frame with the geometry and colours of Gymnasium's renderer: a 500-pixel square showing [-2.2, 2.2] m
/// on both axes around the pivot, the target line one link length above the pivot, each link a cyan bar 0.2 m wide and
/// each joint a yellow disc. Gymnasium draws upside down and flips the surface at the end; here every row goes through
/// <see cref="Flip(double)"/> instead.
/// </summary>
internal static class AcrobotRenderer
{
    private const int ScreenSize = 500;
    private const double Bound = AcrobotEnv.LinkLength1 + AcrobotEnv.LinkLength2 + 0.2;
    private const double Scale = ScreenSize / (Bound * 2); // pixels per metre
    private const double Offset = ScreenSize / 2.0;
    private const double LinkHalfWidth = 0.1 * Scale;

    private static readonly Rgb LinkColor = new(0, 204, 204);
    private static readonly Rgb JointColor = new(204, 204, 0);

    /// <summary>A uint8 (500, 500, 3) frame of the links at angles <paramref name="theta1"/> and <paramref name="theta2"/>.</summary>
    public static NDArray Draw(double theta1, double theta2)
    {
        var canvas = new Canvas(ScreenSize, ScreenSize, Rgb.White);

        // The target line, one link length above the pivot (Gymnasium draws it at y = 1 m before the flip).
        double lineY = Flip(1 * Scale + Offset);
        canvas.DrawLine(new(-Bound * Scale + Offset, lineY), new(Bound * Scale + Offset, lineY), Rgb.Black);

        // Gymnasium's p1 and p2 with x and y swapped (its xys[:, ::-1]): hanging straight down is towards smaller y.
        double x1 = AcrobotEnv.LinkLength1 * Math.Sin(theta1) * Scale;
        double y1 = -AcrobotEnv.LinkLength1 * Math.Cos(theta1) * Scale;
        ReadOnlySpan<(double X, double Y, double Angle, double Length)> links =
        [
            (0, 0, theta1 - Math.PI / 2, AcrobotEnv.LinkLength1 * Scale),
            (x1, y1, theta1 + theta2 - Math.PI / 2, AcrobotEnv.LinkLength2 * Scale),
        ];
        Span<CanvasPoint> bar = stackalloc CanvasPoint[4];
        foreach (var (linkX, linkY, angle, length) in links)
        {
            double x = linkX + Offset, y = linkY + Offset;
            double cos = Math.Cos(angle), sin = Math.Sin(angle);
            ReadOnlySpan<(double Along, double Across)> corners =
                [(0, -LinkHalfWidth), (0, LinkHalfWidth), (length, LinkHalfWidth), (length, -LinkHalfWidth)];
            for (int i = 0; i < corners.Length; i++)
            {
                // pygame's Vector2.rotate_rad, then the translation to the link's joint.
                var (along, across) = corners[i];
                bar[i] = new(along * cos - across * sin + x, Flip(along * sin + across * cos + y));
            }

            canvas.FillConvexPolygon(bar, LinkColor);

            // Gymnasium passes int(...) of the joint, which truncates toward zero like the casts here.
            canvas.FillCircle((int)x, Flip((int)y), (int)LinkHalfWidth, JointColor);
        }

        return canvas.ToNDArray();
    }

    /// <summary>Where Gymnasium's final vertical flip takes pixel row (or centre line) <paramref name="y"/>.</summary>
    private static double Flip(double y) => ScreenSize - 1 - y;

    private static int Flip(int y) => ScreenSize - 1 - y;
}
