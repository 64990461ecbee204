using ZeroGym.Arrays;
using ZeroGym.Envs.Rendering;
using static ZeroGym.Envs.MountainCar.MountainCarTrack;

namespace ZeroGym.Envs.MountainCar;

/// <summary>
/// Draws a Mountain Car frame with the geometry and colours of Gymnasium's renderer (both versions): 600×400 pixels for
/// the 1.8 m of track, the valley floor as a black line through 100 points, the car a black 40×20 box tilted by
/// cos(3 x) radians 10 pixels above the floor with two grey wheels, and the flag a black pole with a yellow pennant at
/// the goal. Gymnasium draws upside down and flips the surface at the end; here every row goes through
/// <see cref="Flip(double)"/> instead.
/// </summary>
internal static class MountainCarRenderer
{
    private const int ScreenWidth = 600;
    private const int ScreenHeight = 400;
    private const double Scale = ScreenWidth / (MaxPosition - MinPosition); // pixels per metre
    private const double CarWidth = 40, CarHeight = 20, Clearance = 10;
    private const int FloorPoints = 100;

    private static readonly Rgb WheelColor = new(128, 128, 128);
    private static readonly Rgb PennantColor = new(204, 204, 0);

    /// <summary>A uint8 (400, 600, 3) frame of the car at <paramref name="position"/> with the flag at <paramref name="goalPosition"/>.</summary>
    public static NDArray Draw(double position, double goalPosition)
    {
        var canvas = new Canvas(ScreenWidth, ScreenHeight, Rgb.White);

        // The floor: numpy's linspace(-1.2, 0.6, 100), each point joined to the next.
        CanvasPoint previous = default;
        for (int i = 0; i < FloorPoints; i++)
        {
            double x = i == FloorPoints - 1 ? MaxPosition : MinPosition + i * ((MaxPosition - MinPosition) / (FloorPoints - 1));
            var point = new CanvasPoint((x - MinPosition) * Scale, Flip(Height(x) * Scale));
            if (i > 0) canvas.DrawLine(previous, point, Rgb.Black);
            previous = point;
        }

        // The car's box and wheels, rotated by cos(3 x) radians (Gymnasium's choice of angle) about its bottom centre.
        double angle = Math.Cos(3 * position);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double baseX = (position - MinPosition) * Scale, baseY = Clearance + Height(position) * Scale;
        ReadOnlySpan<(double X, double Y)> corners =
            [(-CarWidth / 2, 0), (-CarWidth / 2, CarHeight), (CarWidth / 2, CarHeight), (CarWidth / 2, 0)];
        Span<CanvasPoint> car = stackalloc CanvasPoint[4];
        for (int i = 0; i < corners.Length; i++)
        {
            var (x, y) = corners[i];
            car[i] = new(x * cos - y * sin + baseX, Flip(x * sin + y * cos + baseY));
        }

        canvas.FillConvexPolygon(car, Rgb.Black);
        foreach (double wheelX in (ReadOnlySpan<double>)[CarWidth / 4, -CarWidth / 4])
        {
            // Gymnasium passes int(...) of the wheel's centre, which truncates toward zero like the casts here.
            int x = (int)(wheelX * cos + baseX), y = (int)(wheelX * sin + baseY);
            canvas.FillCircle(x, Flip(y), (int)(CarHeight / 2.5), WheelColor);
        }

        // The flag: a pole 50 pixels high from the floor at the goal and a pennant at its top.
        int flagX = (int)((goalPosition - MinPosition) * Scale);
        int flagBottom = (int)(Height(goalPosition) * Scale), flagTop = flagBottom + 50;
        canvas.DrawLine(new(flagX, Flip(flagBottom)), new(flagX, Flip(flagTop)), Rgb.Black);
        Span<CanvasPoint> pennant = [new(flagX, Flip(flagTop)), new(flagX, Flip(flagTop - 10)), new(flagX + 25, Flip(flagTop - 5))];
        canvas.FillConvexPolygon(pennant, PennantColor);
        return canvas.ToNDArray();
    }

    /// <summary>Where Gymnasium's final vertical flip takes pixel row (or centre line) <paramref name="y"/>.</summary>
    private static double Flip(double y) => ScreenHeight - 1 - y;

    private static int Flip(int y) => ScreenHeight - 1 - y;
}
