using ZeroGym.Arrays;
using ZeroGym.Envs.Rendering;

namespace ZeroGym.Tests.Envs;

public class CanvasTests
{
    private static readonly Rgb Red = new(255, 0, 0), Teal = new(0, 128, 128);

    [Fact]
    public void NewCanvas_IsPaintedTheBackground()
    {
        var canvas = new Canvas(4, 3, Teal);

        Assert.Equal(36, canvas.Pixels.Length);
        Assert.All(Points(canvas), point => Assert.Equal(Teal, canvas.GetPixel(point.X, point.Y)));
    }

    [Fact]
    public void ToNDArray_IsAUint8HeightByWidthBy3ViewOfThePixels()
    {
        var canvas = new Canvas(4, 3, Rgb.White);

        var array = canvas.ToNDArray();

        Assert.Equal(DType.UInt8, array.DType);
        Assert.Equal([3, 4, 3], array.Shape);
        Assert.Same(canvas.Pixels, array.Data);
    }

    [Fact]
    public void Clear_WithAColour_PaintsEveryPixel()
    {
        var canvas = new Canvas(5, 4, Rgb.White);

        canvas.Clear(Teal);

        Assert.All(Points(canvas), point => Assert.Equal(Teal, canvas.GetPixel(point.X, point.Y)));
    }

    [Fact]
    public void FillConvexPolygon_CoversThePixelsWhoseCentresItContains()
    {
        var canvas = new Canvas(6, 5, Rgb.White);

        // Whole numbers are pixel centres, so the rectangle from (1, 1) to (3, 2) covers columns 1..3 of rows 1..2.
        canvas.FillConvexPolygon([new(1, 1), new(3, 1), new(3, 2), new(1, 2)], Red);

        Assert.Equal(
            Points(canvas).Where(p => p.X is >= 1 and <= 3 && p.Y is >= 1 and <= 2).ToHashSet(),
            Painted(canvas, Red));
    }

    [Fact]
    public void FillConvexPolygon_OfATriangle_FillsItsRowsBetweenTheEdges()
    {
        var canvas = new Canvas(7, 5, Rgb.White);

        canvas.FillConvexPolygon([new(0, 0), new(6, 0), new(3, 3)], Red);

        // Row y spans x in [y, 6 - y].
        Assert.Equal(
            Points(canvas).Where(p => p.Y <= 3 && p.X >= p.Y && p.X <= 6 - p.Y).ToHashSet(),
            Painted(canvas, Red));
    }

    [Fact]
    public void FillConvexPolygon_PartlyOutside_IsClipped()
    {
        var canvas = new Canvas(4, 4, Rgb.White);

        canvas.FillConvexPolygon([new(-10, -10), new(1.5, -10), new(1.5, 1.5), new(-10, 1.5)], Red);
        canvas.FillConvexPolygon([new(100, 100), new(200, 100), new(150, 1e12)], Red);

        Assert.Equal(Points(canvas).Where(p => p.X <= 1 && p.Y <= 1).ToHashSet(), Painted(canvas, Red));
    }

    [Fact]
    public void FillConvexPolygon_WithTooFewOrNonFiniteVertices_Throws()
    {
        var canvas = new Canvas(4, 4, Rgb.White);

        Assert.Throws<ArgumentException>(() => canvas.FillConvexPolygon([new(0, 0), new(1, 1)], Red));
        Assert.Throws<ArgumentException>(() => canvas.FillConvexPolygon([new(0, 0), new(1, double.NaN), new(2, 0)], Red));
    }

    [Fact]
    public void FillCircle_CoversThePixelsWithinRadiusAndAHalf()
    {
        var canvas = new Canvas(9, 9, Rgb.White);

        canvas.FillCircle(4, 4, 2, Red);

        // dx² + dy² < (2 + ½)², i.e. <= 6: rows of 3, 5, 5, 5, 3 pixels.
        var expected = Points(canvas).Where(p => (p.X - 4) * (p.X - 4) + (p.Y - 4) * (p.Y - 4) <= 6).ToHashSet();
        Assert.Equal(21, expected.Count);
        Assert.Equal(expected, Painted(canvas, Red));
    }

    [Fact]
    public void FillCircle_OfRadiusZero_IsOnePixel()
    {
        var canvas = new Canvas(3, 3, Rgb.White);

        canvas.FillCircle(1, 2, 0, Red);

        Assert.Equal([(1, 2)], Painted(canvas, Red));
    }

    [Fact]
    public void FillCircle_FarOutside_DrawsNothing()
    {
        var canvas = new Canvas(3, 3, Rgb.White);

        canvas.FillCircle(int.MaxValue, int.MinValue, 5, Red);
        canvas.FillCircle(-7, 1, 5, Red);

        Assert.Empty(Painted(canvas, Red));
    }

    [Fact]
    public void FillCircle_PartlyOutside_IsClipped()
    {
        var canvas = new Canvas(3, 3, Rgb.White);

        // Radius 1 covers the 3×3 block around the centre (dx² + dy² <= 2); only its right column is on the canvas.
        canvas.FillCircle(-1, 1, 1, Red);

        Assert.Equal([(0, 0), (0, 1), (0, 2)], Painted(canvas, Red));
    }

    [Fact]
    public void HorizontalLine_IncludesBothEndsAndIsClipped()
    {
        var canvas = new Canvas(5, 3, Rgb.White);

        canvas.HorizontalLine(3, 1, 0, Red);
        canvas.HorizontalLine(-4, 100, 2, Teal);
        canvas.HorizontalLine(0, 4, 7, Red);

        Assert.Equal([(1, 0), (2, 0), (3, 0)], Painted(canvas, Red));
        Assert.Equal(5, Painted(canvas, Teal).Count);
    }

    [Fact]
    public void DrawLine_PaintsOnePixelPerStepAlongTheLongerSideBothEndsIncludedAndClipped()
    {
        var canvas = new Canvas(8, 5, Rgb.White);

        canvas.DrawLine(new(0, 0), new(6, 2.2), Red);
        canvas.DrawLine(new(7, 4), new(7, 1), Teal);
        canvas.DrawLine(new(-10, 4), new(100, 4), Teal);

        Assert.Equal([(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2)], Painted(canvas, Red));
        Assert.Equal(8 + 3, Painted(canvas, Teal).Count); // row 4 in full, and column 7 from row 1 to 3
        Assert.Throws<ArgumentException>(() => canvas.DrawLine(new(0, double.NaN), new(1, 1), Red));
    }

    [Fact]
    public void GetPixel_OutsideTheCanvas_Throws()
    {
        var canvas = new Canvas(3, 3, Rgb.White);

        Assert.Throws<ArgumentOutOfRangeException>(() => canvas.GetPixel(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => canvas.GetPixel(0, -1));
    }

    private static IEnumerable<(int X, int Y)> Points(Canvas canvas) =>
        from y in Enumerable.Range(0, canvas.Height) from x in Enumerable.Range(0, canvas.Width) select (x, y);

    private static HashSet<(int X, int Y)> Painted(Canvas canvas, Rgb color) =>
        Points(canvas).Where(p => canvas.GetPixel(p.X, p.Y) == color).ToHashSet();
}
