using ZeroGym.Arrays;
using ZeroGym.Envs.Rendering;

namespace ZeroGym.Envs.CartPole;

/// <summary>
/// Draws a CartPole frame with the geometry and colours of Gymnasium's renderer: the world is 4.8 m wide across
/// 600 pixels. Gymnasium draws upside down on a pygame surface (rows grow downwards, the pole grows towards larger
/// rows) and flips the surface at the end; here every row goes through <see cref="Flip(double)"/> instead, which gives
/// the same image without a pass over the frame.
/// </summary>
internal static class CartPoleRenderer
{
    private const int ScreenWidth = 600;
    private const int ScreenHeight = 400;

    private const double WorldWidth = CartPoleEnv.XThreshold * 2;
    private const double Scale = ScreenWidth / WorldWidth; // pixels per metre

    private const double PoleWidth = 10.0;
    private const double PoleLength = Scale * (2 * CartPoleEnv.HalfPoleLength);
    private const double CartWidth = 50.0;
    private const double CartHeight = 30.0;
    private const double AxleOffset = CartHeight / 4.0;

    /// <summary>Gymnasium's row of the cart's vertical centre and of the track, before the flip.</summary>
    private const int CartY = 100;

    private static readonly Rgb CartColor = Rgb.Black;
    private static readonly Rgb PoleColor = new(202, 152, 101);
    private static readonly Rgb AxleColor = new(129, 132, 203);
    private static readonly Rgb TrackColor = Rgb.Black;

    /// <summary>A uint8 (400, 600, 3) frame of the cart at <paramref name="x"/> metres with the pole at <paramref name="theta"/> radians.</summary>
    public static NDArray Draw(double x, double theta)
    {
        var canvas = new Canvas(ScreenWidth, ScreenHeight, Rgb.White);

        double cartX = x * Scale + ScreenWidth / 2.0;
        Span<CanvasPoint> cart =
        [
            new(cartX - CartWidth / 2, Flip(CartY - CartHeight / 2)),
            new(cartX - CartWidth / 2, Flip(CartY + CartHeight / 2)),
            new(cartX + CartWidth / 2, Flip(CartY + CartHeight / 2)),
            new(cartX + CartWidth / 2, Flip(CartY - CartHeight / 2)),
        ];
        canvas.FillConvexPolygon(cart, CartColor);

        // The pole's rectangle stands on the axle, rotated by -theta as Gymnasium's Vector2.rotate_rad(-theta).
        double cos = Math.Cos(theta), sin = Math.Sin(theta);
        double axleY = CartY + AxleOffset;
        Span<CanvasPoint> pole = stackalloc CanvasPoint[4];
        ReadOnlySpan<(double Across, double Along)> corners =
        [
            (-PoleWidth / 2, -PoleWidth / 2),
            (-PoleWidth / 2, PoleLength - PoleWidth / 2),
            (PoleWidth / 2, PoleLength - PoleWidth / 2),
            (PoleWidth / 2, -PoleWidth / 2),
        ];
        for (int i = 0; i < corners.Length; i++)
        {
            var (across, along) = corners[i];
            pole[i] = new(cartX + across * cos + along * sin, Flip(axleY - across * sin + along * cos));
        }

        canvas.FillConvexPolygon(pole, PoleColor);

        // Gymnasium passes int(...) of these, which truncates toward zero like the casts here.
        canvas.FillCircle((int)Math.Clamp(cartX, int.MinValue, int.MaxValue), Flip((int)axleY), (int)(PoleWidth / 2), AxleColor);
        canvas.HorizontalLine(0, ScreenWidth, Flip(CartY), TrackColor);
        return canvas.ToNDArray();
    }

    /// <summary>Where Gymnasium's final vertical flip takes pixel row (or centre line) <paramref name="y"/>.</summary>
    private static double Flip(double y) => ScreenHeight - 1 - y;

    private static int Flip(int y) => ScreenHeight - 1 - y;
}
