using ZeroGym.Arrays;

namespace ZeroGym.Envs.Rendering;

/// <summary>
/// An RGB image in memory (row 0 at the top, 3 bytes per pixel, C order: exactly a uint8 (H, W, 3) array) with
/// the few filled shapes the classic-control envs draw. Shapes are clipped to the canvas; there is no antialiasing.
/// </summary>
/// <remarks>
/// Coordinates follow pygame's <c>gfxdraw</c>: whole numbers name pixel centres (see <see cref="CanvasPoint"/>), so a
/// polygon covers the pixels whose centres lie inside it or on its edges, and circles and lines are given in whole
/// pixels.
/// </remarks>
public sealed class Canvas
{
    private const int Channels = 3;

    /// <summary>A canvas of <paramref name="width"/> × <paramref name="height"/> pixels painted <paramref name="background"/>.</summary>
    public Canvas(int width, int height, Rgb background)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"a canvas needs a positive size; got {width}×{height}");
        Width = width;
        Height = height;

        // Every byte is painted right away, so the runtime's zeroing would be a wasted pass over a large array.
        Pixels = GC.AllocateUninitializedArray<byte>(checked(width * height * Channels));
        Clear(background);
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>The pixels, row by row from the top, R, G, B per pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>The colour of pixel (<paramref name="x"/>, <paramref name="y"/>), column and row from the top left.</summary>
    public Rgb GetPixel(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}×{Height} canvas");
        }

        int offset = (y * Width + x) * Channels;
        return new Rgb(Pixels[offset], Pixels[offset + 1], Pixels[offset + 2]);
    }

    /// <summary>Paints every pixel <paramref name="color"/>.</summary>
    public void Clear(Rgb color)
    {
        if (color.R == color.G && color.G == color.B)
        {
            Pixels.AsSpan().Fill(color.R);
            return;
        }

        // Paint one row, then copy it: memory copies beat per-pixel stores.
        var firstRow = Row(0);
        FillSpan(firstRow, color);
        for (int y = 1; y < Height; y++) firstRow.CopyTo(Row(y));
    }

    /// <summary>Paints pixels x0..x1 (both included, either order) of row <paramref name="y"/>.</summary>
    public void HorizontalLine(int x0, int x1, int y, Rgb color)
    {
        if (x0 > x1) (x0, x1) = (x1, x0);
        FillRowSpan(y, x0, x1, color);
    }

    /// <summary>
    /// Paints a one-pixel line from <paramref name="from"/> to <paramref name="to"/>, both ends included: one pixel per
    /// column or per row, whichever the line crosses more of, each the pixel nearest the line (pygame's <c>draw.line</c>
    /// and <c>draw.aalines</c> without the antialiasing).
    /// </summary>
    public void DrawLine(CanvasPoint from, CanvasPoint to, Rgb color)
    {
        if (!double.IsFinite(from.X) || !double.IsFinite(from.Y) || !double.IsFinite(to.X) || !double.IsFinite(to.Y))
        {
            throw new ArgumentException($"line ends must be finite; got {from} and {to}");
        }

        double dx = to.X - from.X, dy = to.Y - from.Y;

        // Only the part of the line between the pixel centres just outside the canvas is stepped along (Liang-Barsky
        // clipping), so a line far outside costs nothing and whole-pixel ends stay on pixel centres.
        double start = 0, end = 1;
        if (!Clip(-dx, from.X + 1, ref start, ref end) || !Clip(dx, Width - from.X, ref start, ref end)
            || !Clip(-dy, from.Y + 1, ref start, ref end) || !Clip(dy, Height - from.Y, ref start, ref end))
        {
            return;
        }

        int steps = (int)Math.Ceiling(Math.Max(Math.Abs(dx), Math.Abs(dy)) * (end - start));
        for (int i = 0; i <= steps; i++)
        {
            double t = steps == 0 ? start : start + (end - start) * i / steps;
            int x = ClampToRange(Math.Floor(from.X + t * dx + 0.5), -1, Width);
            int y = ClampToRange(Math.Floor(from.Y + t * dy + 0.5), -1, Height);
            FillRowSpan(y, x, x, color);
        }
    }

    /// <summary>One edge of Liang-Barsky clipping: narrows [start, end] to where p·t &lt;= q holds; false when nothing is left.</summary>
    private static bool Clip(double p, double q, ref double start, ref double end)
    {
        if (p == 0) return q >= 0;
        double t = q / p;
        if (p < 0) start = Math.Max(start, t);
        else end = Math.Min(end, t);
        return start <= end;
    }

    /// <summary>
    /// Paints the pixels within <paramref name="radius"/> + ½ of pixel (<paramref name="centerX"/>, <paramref name="centerY"/>),
    /// centre to centre. pygame's <c>filled_circle</c> draws the same disc except that its top and bottom rows are
    /// narrower (one pixel wide).
    /// </summary>
    public void FillCircle(int centerX, int centerY, int radius, Rgb color)
    {
        if (radius < 0) throw new ArgumentOutOfRangeException(nameof(radius), $"a circle needs a radius >= 0; got {radius}");
        if ((long)centerY + radius < 0 || (long)centerY - radius >= Height || (long)centerX + radius < 0 || (long)centerX - radius >= Width) return;

        long limit = (long)radius * radius + radius; // dx² + dy² < (r + ½)² for integers
        for (int dy = -radius; dy <= radius; dy++)
        {
            // The widest dx with dx² <= limit - dy²; the loop runs at most once or twice after the estimate.
            long room = limit - (long)dy * dy;
            int halfWidth = (int)Math.Sqrt(room);
            while ((long)(halfWidth + 1) * (halfWidth + 1) <= room) halfWidth++;
            while ((long)halfWidth * halfWidth > room) halfWidth--;
            FillRowSpan(centerY + dy, centerX - halfWidth, centerX + halfWidth, color);
        }
    }

    /// <summary>
    /// Paints the pixels whose centres lie inside the convex polygon with these vertices (in order, either winding) or on
    /// its edges: the rectangle from (0, 0) to (2, 1) covers 3 × 2 pixels, as pygame's <c>filled_polygon</c> does.
    /// </summary>
    public void FillConvexPolygon(ReadOnlySpan<CanvasPoint> vertices, Rgb color)
    {
        if (vertices.Length < 3) throw new ArgumentException($"a polygon needs at least 3 vertices; got {vertices.Length}", nameof(vertices));
        double top = double.PositiveInfinity, bottom = double.NegativeInfinity;
        foreach (var vertex in vertices)
        {
            if (!double.IsFinite(vertex.X) || !double.IsFinite(vertex.Y))
            {
                throw new ArgumentException($"polygon vertices must be finite; got {vertex}", nameof(vertices));
            }

            top = Math.Min(top, vertex.Y);
            bottom = Math.Max(bottom, vertex.Y);
        }

        int firstRow = ClampToRange(Math.Ceiling(top), 0, Height);
        int lastRow = ClampToRange(Math.Floor(bottom), -1, Height - 1);
        for (int row = firstRow; row <= lastRow; row++)
        {
            double y = row;
            double left = double.PositiveInfinity, right = double.NegativeInfinity;
            for (int i = 0; i < vertices.Length; i++)
            {
                var a = vertices[i];
                var b = vertices[(i + 1) % vertices.Length];
                if (y < Math.Min(a.Y, b.Y) || y > Math.Max(a.Y, b.Y)) continue;

                // A horizontal edge on the row's centre line contributes both ends; any other edge one crossing.
                double crossingA = a.Y == b.Y ? a.X : a.X + (y - a.Y) / (b.Y - a.Y) * (b.X - a.X);
                double crossingB = a.Y == b.Y ? b.X : crossingA;
                left = Math.Min(left, Math.Min(crossingA, crossingB));
                right = Math.Max(right, Math.Max(crossingA, crossingB));
            }

            if (left > right) continue;
            FillRowSpan(row, ClampToRange(Math.Ceiling(left), -1, Width), ClampToRange(Math.Floor(right), -1, Width), color);
        }
    }

    /// <summary>The pixels as a uint8 (H, W, 3) array, sharing (not copying) <see cref="Pixels"/>: draw no more afterwards.</summary>
    public NDArray ToNDArray() => new(DType.UInt8, [Height, Width, Channels], Pixels);

    private Span<byte> Row(int y) => Pixels.AsSpan(y * Width * Channels, Width * Channels);

    private void FillRowSpan(int y, int x0, int x1, Rgb color)
    {
        if ((uint)y >= (uint)Height) return;
        x0 = Math.Max(x0, 0);
        x1 = Math.Min(x1, Width - 1);
        if (x0 > x1) return;
        FillSpan(Pixels.AsSpan((y * Width + x0) * Channels, (x1 - x0 + 1) * Channels), color);
    }

    private static void FillSpan(Span<byte> pixels, Rgb color)
    {
        for (int i = 0; i < pixels.Length; i += Channels)
        {
            pixels[i] = color.R;
            pixels[i + 1] = color.G;
            pixels[i + 2] = color.B;
        }
    }

    /// <summary>A whole number, already rounded, clamped to [min, max] before the cast so huge values cannot overflow.</summary>
    private static int ClampToRange(double value, int min, int max) => (int)Math.Clamp(value, min, max);
}
