using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Registration;
using ZeroGym.Envs.Wrappers;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Envs;

/// <summary>skip_frames, grayscale, resize and frame_stack on synthetic images and CartPole, and the wrappers kwarg.</summary>
public class WrapperTests
{
    [Fact]
    public void Grayscale_KnownPixels_AreBt601LumaRoundedToNearest()
    {
        // Pixels (R, G, B) and 0.299 R + 0.587 G + 0.114 B rounded: 76.2, 149.7, 29.1, 255, 18.2, 140.8, 0.
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30, 100, 150, 200, 0, 0, 0, 1, 1, 1];
        using var env = new Grayscale(new ImageEnv(2, 4, frames: _ => rgb));

        var observation = (NDArray)env.Reset().Observation;

        Assert.Equal([2, 4], observation.Shape);
        Assert.Equal<byte>([76, 150, 29, 255, 18, 141, 0, 1], observation.Data);
    }

    [Fact]
    public void Grayscale_EveryPixelOfALargeImage_IsTheFixedPointLumaOfItsOwnColour()
    {
        // Enough pixels for the vectorized path and an odd count for the tail; every colour value appears.
        var random = new Random(5);
        byte[] rgb = new byte[3 * 1001];
        random.NextBytes(rgb);
        rgb[0] = rgb[1] = rgb[2] = 255;
        byte[] gray = new byte[1001];

        Grayscale.Convert(rgb, gray);

        for (int pixel = 0; pixel < gray.Length; pixel++)
        {
            // OpenCV's 14-bit fixed point, pixel by pixel.
            Assert.Equal((rgb[3 * pixel] * 4899 + rgb[3 * pixel + 1] * 9617 + rgb[3 * pixel + 2] * 1868 + 8192) >> 14, gray[pixel]);
        }
    }

    [Fact]
    public void Grayscale_Space_IsUint8ImageWithoutChannels_OrWithOneWhenKeepDim()
    {
        using var flat = new Grayscale(new ImageEnv(3, 5));
        using var kept = new Grayscale(new ImageEnv(3, 5), keepDim: true);

        Assert.Equal(new Box(0, 255, [3, 5], DType.UInt8), flat.ObservationSpace);
        Assert.Equal(new Box(0, 255, [3, 5, 1], DType.UInt8), kept.ObservationSpace);
        Assert.Equal([3, 5, 1], ((NDArray)kept.Reset().Observation).Shape);
    }

    [Fact]
    public void Grayscale_OnCartPole_SaysWhatItNeedsAndWhatItFound()
    {
        var error = Assert.Throws<ArgumentException>(() => new Grayscale(new CartPoleEnv()));

        Assert.Contains("uint8 Box of shape (H, W, 3)", error.Message);
        Assert.Contains("(4,), float32", error.Message);
    }

    [Fact]
    public void Resize_ByTwo_AveragesEachBlock()
    {
        byte[] gray = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
        using var env = new Resize(new Grayscale(new ImageEnv(4, 4, frames: _ => Gray(gray))), 2, 2);

        var observation = (NDArray)env.Reset().Observation;

        Assert.Equal<byte>([25, 45, 105, 125], observation.Data);
    }

    [Fact]
    public void Resize_ThreeToTwo_WeighsPixelsByTheAreaCovered()
    {
        // value = 90 y + 30 x; output i covers source [1.5 i, 1.5 i + 1.5) with weights 2/3, 1/3 (then 1/3, 2/3),
        // so its value is the linear function at the covered centres 1/3 and 5/3: 90·1/3 + 30·1/3 = 40, and so on.
        byte[] gray = [0, 30, 60, 90, 120, 150, 180, 210, 240];
        using var env = new Resize(new Grayscale(new ImageEnv(3, 3, frames: _ => Gray(gray))), 2, 2);

        Assert.Equal<byte>([40, 80, 160, 200], ((NDArray)env.Reset().Observation).Data);
    }

    [Fact]
    public void Resize_Rgb_AveragesEachChannel()
    {
        byte[] rgb = [0, 0, 0, 10, 20, 30, 20, 40, 60, 30, 60, 93];
        using var env = new Resize(new ImageEnv(2, 2, frames: _ => rgb), 1, 1);

        var observation = (NDArray)env.Reset().Observation;

        Assert.Equal([1, 1, 3], observation.Shape);
        Assert.Equal<byte>([15, 30, 46], observation.Data); // blue: 183 / 4 = 45.75 rounds to 46
    }

    [Fact]
    public void Resize_WideRows_KeepTheirPixelOrderInTheVectorizedPass()
    {
        // Rows of 96 pixels valued x, shrunk threefold: output j is the mean of 3j, 3j + 1, 3j + 2, that is 3j + 1.
        byte[] gray = [.. Enumerable.Range(0, 2 * 96).Select(i => (byte)(i % 96))];
        using var env = new Resize(new Grayscale(new ImageEnv(2, 96, frames: _ => Gray(gray))), 1, 32);

        Assert.Equal([.. Enumerable.Range(0, 32).Select(j => (byte)(3 * j + 1))], ((NDArray)env.Reset().Observation).Data);
    }

    [Fact]
    public void Resize_NesFrameTo84_KeepsAConstantImageAndTheFullRange()
    {
        using var env = new Resize(new Grayscale(new ImageEnv(240, 256, frames: _ => Enumerable.Repeat((byte)200, 240 * 256 * 3).ToArray())), 84, 84);

        var observation = (NDArray)env.Reset().Observation;

        Assert.Equal(new Box(0, 255, [84, 84], DType.UInt8), env.ObservationSpace);
        Assert.All(observation.Data, pixel => Assert.Equal(200, pixel));
    }

    [Fact]
    public void Resize_OnCartPole_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Resize(new CartPoleEnv(), 84, 84));

        Assert.Contains("resize needs a uint8 Box of shape (H, W) or (H, W, C)", error.Message);
    }

    [Fact]
    public void FrameStack_AtReset_FillsEverySlotWithTheResetFrame_ThenPutsTheNewestLast()
    {
        using var env = new FrameStack(new Grayscale(new ImageEnv(2, 3)), 4);

        Assert.Equal<byte>([0, 0, 0, 0], Slots((NDArray)env.Reset().Observation, 4));
        Assert.Equal<byte>([0, 0, 0, 1], Slots((NDArray)env.Step(0L).Observation, 4));
        Assert.Equal<byte>([0, 0, 1, 2], Slots((NDArray)env.Step(0L).Observation, 4));
        env.Step(0L);
        env.Step(0L);
        Assert.Equal<byte>([2, 3, 4, 5], Slots((NDArray)env.Step(0L).Observation, 4));
    }

    [Fact]
    public void FrameStack_AfterAnotherReset_ForgetsThePreviousEpisode()
    {
        using var env = new FrameStack(new Grayscale(new ImageEnv(2, 3)), 3);
        env.Reset();
        for (int i = 0; i < 5; i++) env.Step(0L);

        Assert.Equal<byte>([0, 0, 0], Slots((NDArray)env.Reset().Observation, 3));
    }

    [Fact]
    public void FrameStack_Space_RepeatsTheBoundsOfAnyBox()
    {
        using var env = new FrameStack(new CartPoleEnv(), 2);
        var inner = (Box)new CartPoleEnv().ObservationSpace;
        var box = Assert.IsType<Box>(env.ObservationSpace);

        Assert.Equal([2, 4], box.Shape);
        Assert.Equal(DType.Float32, box.DType);
        Assert.Equal([.. inner.High.ToArray<float>(), .. inner.High.ToArray<float>()], box.High.ToArray<float>());
        var observation = (NDArray)env.Reset(seed: 3).Observation;
        Assert.True(box.Contains(observation));
    }

    [Fact]
    public void Chain_ReturnsObservationsTheCallerMayKeep()
    {
        using var env = new FrameStack(new Resize(new Grayscale(new ImageEnv(8, 8)), 4, 4), 2);
        env.Reset();

        var first = (NDArray)env.Step(0L).Observation;
        var second = (NDArray)env.Step(0L).Observation;

        Assert.NotSame(first, second);
        Assert.Equal<byte>([0, 1], Slots(first, 2));
        Assert.Equal<byte>([1, 2], Slots(second, 2));
    }

    [Fact]
    public void SkipFrames_SumsTheRewardsAndReturnsTheLastStep()
    {
        using var env = new SkipFrames(new ImageEnv(2, 2), 4);
        env.Reset();

        var result = env.Step(1L);

        Assert.Equal(1 + 2 + 3 + 4, result.Reward);
        Assert.Equal(4L, result.Info["step"]);
        Assert.All(((NDArray)result.Observation).Data, pixel => Assert.Equal(4, pixel));
        Assert.False(result.Terminated);
    }

    [Fact]
    public void SkipFrames_StopsEarlyWhenTheEpisodeEnds()
    {
        using var env = new SkipFrames(new ImageEnv(2, 2, terminateAt: 6), 4);
        env.Reset();
        env.Step(1L);

        var result = env.Step(1L);

        Assert.True(result.Terminated);
        Assert.Equal(5 + 6, result.Reward);
        Assert.Equal(6L, result.Info["step"]);
    }

    [Fact]
    public void SkipFrames_OnCartPole_IsTheSameActionRepeated()
    {
        using var skipping = new SkipFrames(new CartPoleEnv(), 3);
        using var plain = new CartPoleEnv();
        skipping.Reset(seed: 7);
        plain.Reset(seed: 7);

        var skipped = skipping.Step(1L);
        StepResult last = default;
        for (int i = 0; i < 3; i++) last = plain.Step(1L);

        Assert.Equal(3.0, skipped.Reward);
        Assert.Equal(((NDArray)last.Observation).ToArray<float>(), ((NDArray)skipped.Observation).ToArray<float>());
    }

    [Fact]
    public void Kwarg_WrapsOutsideTheTimeLimit_WhichCountsInnerSteps()
    {
        using var env = CartPoleEnv.Spec.Make(new Dictionary<string, object?>
        {
            ["max_episode_steps"] = 10L,
            ["wrappers"] = new object?[] { new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = 4L } },
        });
        env.Reset(seed: 0);

        Assert.False(env.Step(0L).Truncated);
        Assert.False(env.Step(1L).Truncated);
        var last = env.Step(0L);

        Assert.True(last.Truncated);
        Assert.False(last.Terminated);
        Assert.Equal(2.0, last.Reward);
    }

    [Theory]
    [InlineData("mario")]
    [InlineData("atari_like")]
    public void Preset_GivesTheMarioTutorialsObservation(string preset)
    {
        using var env = ImageEnv.Spec.Make(new Dictionary<string, object?> { ["wrappers"] = preset });

        Assert.Equal(new Box(0, 255, [4, 84, 84], DType.UInt8), env.ObservationSpace);
        Assert.Equal<byte>([0, 0, 0, 0], Slots((NDArray)env.Reset().Observation, 4));
        var result = env.Step(0L);
        Assert.Equal<byte>([0, 0, 0, 4], Slots((NDArray)result.Observation, 4));
        Assert.Equal(1 + 2 + 3 + 4, result.Reward);
        Assert.Equal(4 * 84 * 84, ((NDArray)result.Observation).Data.Length);
    }

    [Fact]
    public void Kwarg_ListOfNamesAndMaps_AppliesInOrderAndEchoesTheParameters()
    {
        var kwargs = EnvKwargs.Parse(ImageEnv.Spec, new Dictionary<string, object?>
        {
            ["height"] = 6L,
            ["width"] = 6L,
            ["wrappers"] = new object?[] { "grayscale", new Dictionary<string, object?> { ["name"] = "resize", ["shape"] = new object?[] { 3L, 2L } } },
        });
        using var env = ImageEnv.Spec.Make(kwargs, null);

        Assert.Equal(new Box(0, 255, [3, 2], DType.UInt8), env.ObservationSpace);
        var echoed = Assert.IsType<object?[]>(kwargs.Values["wrappers"]);
        Assert.Equal(new Dictionary<string, object?> { ["name"] = "grayscale", ["keep_dim"] = false }, echoed[0]);
        Assert.Equal("resize", ((Dictionary<string, object?>)echoed[1]!)["name"]);
    }

    [Fact]
    public void Render_PassesThroughToTheInnerEnv()
    {
        using var env = ImageEnv.Spec.Make(new Dictionary<string, object?> { ["wrappers"] = "mario" }, "rgb_array");
        env.Reset();
        env.Step(0L);

        var frame = env.Render();

        Assert.Equal("rgb_array", env.RenderMode);
        Assert.Equal([240, 256, 3], frame.Shape);
        Assert.All(frame.Data, pixel => Assert.Equal(4, pixel));
    }

    [Theory]
    [InlineData("pixels", "unknown wrappers preset 'pixels'; presets are 'mario', 'atari_like'")]
    [InlineData("grayscale", "pass it in a list, ['grayscale']")]
    [InlineData(3L, "wrappers must be a list of wrappers or a preset")]
    public void Kwarg_ThatIsNeitherListNorPreset_IsRejected(object value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => CartPoleEnv.Spec.Make(new Dictionary<string, object?> { ["wrappers"] = value }));

        Assert.Contains(expected, error.Message);
    }

    public static TheoryData<object?, string> BadWrappers => new()
    {
        { "blur", "wrappers[0]: unknown wrapper 'blur'; wrappers are skip_frames, grayscale, resize, frame_stack" },
        { new Dictionary<string, object?> { ["n"] = 4L }, "wrappers[0] must have a string 'name'" },
        { new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = 0L }, "skip_frames parameter 'n' must be an integer from 1 to 1000; got 0" },
        { new Dictionary<string, object?> { ["name"] = "frame_stack", ["n"] = 65L }, "frame_stack parameter 'n' must be an integer from 1 to 64; got 65" },
        { new Dictionary<string, object?> { ["name"] = "resize", ["shape"] = new object?[] { 84L } }, "resize parameter 'shape' must be [height, width], two integers from 1 to 4096; got [84]" },
        { new Dictionary<string, object?> { ["name"] = "grayscale", ["keep_dim"] = 1L }, "grayscale parameter 'keep_dim' must be a bool; got 1" },
        { new Dictionary<string, object?> { ["name"] = "skip_frames", ["skip"] = 4L }, "skip_frames takes 'n' (default 4); got unknown parameter 'skip'" },
        { 12L, "wrappers[0] must be a wrapper name or a map with 'name'; got 12" },
    };

    [Theory]
    [MemberData(nameof(BadWrappers))]
    public void Kwarg_WithBadWrapper_SaysWhatWasExpected(object? wrapper, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => EnvKwargs.Parse(ImageEnv.Spec, new Dictionary<string, object?> { ["wrappers"] = new[] { wrapper } }));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Make_WhenAWrapperDoesNotFit_DisposesTheEnvAndNamesTheWrapper()
    {
        ImageEnv? made = null;
        var spec = ImageEnv.Spec with { Create = (_, _) => made = new ImageEnv(4, 4) };

        var error = Assert.Throws<ArgumentException>(() => spec.Make(new Dictionary<string, object?> { ["wrappers"] = new object?[] { "grayscale", "grayscale" } }));

        Assert.Contains("Image-v0: wrappers[1] (grayscale) does not fit: grayscale needs a uint8 Box of shape (H, W, 3)", error.Message);
        Assert.Contains("(4, 4), uint8", error.Message);
        Assert.True(made!.Disposed);
    }

    /// <summary>The first byte of each of the <paramref name="count"/> stacked frames (each frame is uniform here).</summary>
    private static byte[] Slots(NDArray stacked, int count)
    {
        int frame = stacked.Data.Length / count;
        return [.. Enumerable.Range(0, count).Select(slot => stacked.Data[slot * frame])];
    }

    /// <summary>An RGB frame whose three channels all hold <paramref name="gray"/>, so its luma is <paramref name="gray"/>.</summary>
    private static byte[] Gray(byte[] gray) => [.. gray.SelectMany(value => new[] { value, value, value })];
}
