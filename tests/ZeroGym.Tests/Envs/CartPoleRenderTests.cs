using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// CartPole frames with Gymnasium's geometry: 600×400, 125 pixels per metre, cart 50×30 centred at column
/// x·125 + 300 with its centre on the track (row 299 once flipped), pole 10 wide and 125 long on an axle 7.5 pixels
/// above the cart's centre.
/// </summary>
public class CartPoleRenderTests
{
    private const double PixelsPerMetre = 125.0;

    // Row 309 of the frame is 90 pixels above its bottom edge, inside the cart (85..115) and below the pole and axle.
    private const int CartOnlyRow = 309;

    private static readonly byte[] White = [255, 255, 255], Black = [0, 0, 0], PoleColor = [202, 152, 101], AxleColor = [129, 132, 203];

    [Fact]
    public void Render_ReturnsAUint8FrameOf400By600By3()
    {
        var frame = RenderAt(0, 0);

        Assert.Equal(DType.UInt8, frame.DType);
        Assert.Equal([400, 600, 3], frame.Shape);
    }

    [Fact]
    public void Render_PaintsTheBackgroundWhiteAndTheTrackBlack()
    {
        var frame = RenderAt(0, 0);

        Assert.Equal(White, Pixel(frame, 0, 0));
        Assert.Equal(White, Pixel(frame, 0, 599));
        Assert.Equal(White, Pixel(frame, 399, 0));
        Assert.Equal(White, Pixel(frame, 298, 5));
        Assert.Equal(Black, Pixel(frame, 299, 0));
        Assert.Equal(Black, Pixel(frame, 299, 599));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.5)]
    [InlineData(0.8)]
    [InlineData(2.0)]
    [InlineData(0.1234)]
    public void Render_DrawsTheCartWhereTheStateSaysItIs(double x)
    {
        var frame = RenderAt(x, 0);

        var blackColumns = Enumerable.Range(0, 600).Where(column => Pixel(frame, CartOnlyRow, column).SequenceEqual(Black)).ToList();
        double cartCentre = x * PixelsPerMetre + 300;
        Assert.InRange(blackColumns.Count, 50, 51);
        Assert.Equal(blackColumns.Count - 1, blackColumns[^1] - blackColumns[0]); // one solid run
        Assert.Equal(cartCentre, (blackColumns[0] + blackColumns[^1]) / 2.0, 0.5);
        Assert.Equal(AxleColor, Pixel(frame, 292, (int)cartCentre));
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(-0.2)]
    public void Render_LeansThePoleTheWayThetaSays(double theta)
    {
        var frame = RenderAt(0, theta);

        // The tip is 120 pixels along the pole from the axle, so it sits 120·sin(theta) to the side of the cart's centre.
        int tipRow = Enumerable.Range(0, 400).First(row => Enumerable.Range(0, 600).Any(column => Pixel(frame, row, column).SequenceEqual(PoleColor)));
        var tipColumns = Enumerable.Range(0, 600).Where(column => Pixel(frame, tipRow, column).SequenceEqual(PoleColor)).ToList();
        Assert.Equal(300 + 120 * Math.Sin(theta), tipColumns.Average(), 6.0);
        Assert.InRange(tipRow, 399 - 107.5 - 125 * Math.Cos(theta) - 6, 399 - 107.5 - 125 * Math.Cos(theta) + 6);
    }

    [Fact]
    public void Render_OfDifferentStates_GivesDifferentFrames()
    {
        Assert.NotEqual(RenderAt(0, 0).Data, RenderAt(0.3, 0).Data);
        Assert.NotEqual(RenderAt(0, 0).Data, RenderAt(0, 0.1).Data);
        Assert.Equal(RenderAt(0.3, 0.1).Data, RenderAt(0.3, 0.1).Data);
    }

    [Fact]
    public void Render_OfACartOffTheTrack_ClipsIt()
    {
        var frame = RenderAt(10.0, 0.4);

        Assert.Equal(White, Pixel(frame, CartOnlyRow, 599));
    }

    [Fact]
    public void Render_ThroughTheSpecsTimeLimit_Works()
    {
        using var env = CartPoleEnv.Spec.Make(renderMode: "rgb_array");
        env.Reset(seed: 0);

        Assert.Equal([400, 600, 3], env.Render().Shape);
    }

    [Fact]
    public void Render_BeforeReset_Throws()
    {
        var env = new CartPoleEnv(renderMode: "rgb_array");

        Assert.Throws<InvalidOperationException>(() => env.Render());
    }

    [Fact]
    public void Render_WithoutRenderMode_Throws()
    {
        var env = new CartPoleEnv();
        env.Reset(seed: 0);

        Assert.Throws<InvalidOperationException>(() => env.Render());
    }

    private static NDArray RenderAt(double x, double theta)
    {
        var env = new CartPoleEnv(renderMode: "rgb_array");
        StartAt(env, x, 0, theta, 0);
        return env.Render();
    }

    private static byte[] Pixel(NDArray frame, int row, int column) => frame.Data.AsSpan((row * 600 + column) * 3, 3).ToArray();
}
