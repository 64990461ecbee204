using ZeroGym.Arrays;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>The wrappers make kwarg (SPEC.md §3.3) through the request handler.</summary>
public sealed partial class RequestHandlerTests
{
    [Fact]
    public void Hello_OffersWrappers()
    {
        Assert.Contains("wrappers", (object?[])Ok(Call("a", "hello", ("protocol", 1)))["capabilities"]!);
    }

    [Fact]
    public void Make_WithMarioPreset_Sends4x84x84Uint8Observations()
    {
        var made = Ok(Call("a", "make", ("env", "Image-v0"), ("kwargs", new Dictionary<string, object?> { ["wrappers"] = "mario" })));
        long handle = (long)made["handle"]!;

        Assert.Equal(new Box(0, 255, [4, 84, 84], DType.UInt8), WireFormat.ReadSpace(made["observation_space"]));
        var echoed = (object?[])((Dictionary<object, object?>)((Dictionary<object, object?>)made["spec"]!)["kwargs"]!)["wrappers"]!;
        Assert.Equal(["skip_frames", "grayscale", "resize", "frame_stack"], echoed.Select(w => ((Dictionary<object, object?>)w!)["name"]));
        Ok(Call("a", "reset", ("handle", handle)));
        var step = Ok(Call("a", "step", ("handle", handle), ("action", 1)));
        var observation = WireFormat.ReadArray(step["obs"], "obs");
        Assert.Equal([4, 84, 84], observation.Shape);
        Assert.Equal(28224, observation.Data.Length);
        Assert.Equal(10.0, step["reward"]);
    }

    [Theory]
    [InlineData(null, 50)]
    [InlineData("[skip_frames:n=4]", 13)] // 50 / 4 = 12.5, rounded half up
    [InlineData("[skip_frames:n=2, skip_frames:n=5]", 5)]
    [InlineData("[frame_stack:n=4]", 50)]
    public void Make_WithSkipFrames_DividesRenderFpsSoVideosPlayAtTheGamesSpeed(string? chain, long expectedFps)
    {
        var wrappers = chain?.Trim('[', ']').Split(", ").Select(item => (object?)new Dictionary<string, object?>
        {
            ["name"] = item.Split(":n=")[0],
            ["n"] = long.Parse(item.Split(":n=")[1], System.Globalization.CultureInfo.InvariantCulture),
        }).ToArray();
        var kwargs = wrappers is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["wrappers"] = wrappers };

        var made = Ok(Call("a", "make", ("env", "CartPole-v1"), ("kwargs", kwargs)));

        Assert.Equal(expectedFps, ((Dictionary<object, object?>)made["metadata"]!)["render_fps"]);
    }

    [Fact]
    public void Make_VectorWithWrappers_WrapsEachCopy()
    {
        long handle = Make("a", "Image-v0", numEnvs: 2, kwargs: new() { ["height"] = 8L, ["width"] = 8L, ["wrappers"] = "atari_like" });
        Ok(Call("a", "reset", ("handle", handle)));

        var step = Ok(Call("a", "step", ("handle", handle), ("action", new long[] { 0, 1 })));

        Assert.Equal([2, 4, 84, 84], WireFormat.ReadArray(step["obs"], "obs").Shape);
        Assert.Equal([10.0, 10.0], WireFormat.ReadArray(step["reward"], "reward").ToArray<double>());
    }

    [Theory]
    [InlineData("grayscale", "CartPole-v1: wrappers[0] (grayscale) does not fit: grayscale needs a uint8 Box of shape (H, W, 3) (an RGB image); the observation space is Box(")]
    [InlineData("frame_stack", null)]
    public void Make_WithWrapperOnCartPole_FitsOrIsInvalidArgumentAndChangesNothing(string wrapper, string? expected)
    {
        var reply = Call("a", "make", ("env", "CartPole-v1"), ("kwargs", new Dictionary<string, object?> { ["wrappers"] = new object?[] { wrapper } }));

        if (expected is null)
        {
            Assert.Equal([4, 4], ((Box)WireFormat.ReadSpace(Ok(reply)["observation_space"])).Shape);
            return;
        }

        Assert.Contains(expected, Error(reply, ErrorCodes.InvalidArgument));
        Assert.Equal(0, handler.OpenEnvCount);
        Assert.Equal(1L, Ok(Call("a", "make", ("env", "CartPole-v1")))["handle"]);
    }

    [Theory]
    [InlineData("atari", "unknown wrappers preset 'atari'")]
    [InlineData("[blur]", "unknown wrapper 'blur'")]
    [InlineData("[skip_frames:n=-1]", "skip_frames parameter 'n' must be an integer from 1 to 1000; got -1")]
    public void Make_WithUnknownOrBadWrapper_IsInvalidArgument(string given, string expected)
    {
        object? wrappers = given switch
        {
            "[blur]" => new object?[] { "blur" },
            "[skip_frames:n=-1]" => new object?[] { new Dictionary<string, object?> { ["name"] = "skip_frames", ["n"] = -1L } },
            _ => given,
        };

        var message = Error(Call("a", "make", ("env", "Image-v0"), ("kwargs", new Dictionary<string, object?> { ["wrappers"] = wrappers })), ErrorCodes.InvalidArgument);

        Assert.Contains(expected, message);
        Assert.Equal(0, handler.OpenEnvCount);
    }
}
