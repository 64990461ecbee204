using ZeroGym.Agents;
using ZeroGym.Agents.Common;
using ZeroGym.Arrays;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Agents;

/// <summary>The plumbing of the Box-action algorithms: action scaling, float64 observations and --set.</summary>
public sealed class ContinuousActionTests
{
    [Fact]
    public void ToEnv_MapsMinusOneToLowAndOneToHigh_PerDimension()
    {
        var actions = new BoxActions(new Box(NDArray.From([-2f, 0f, -1f], 3), NDArray.From([2f, 10f, 3f], 3)));

        Assert.Equal(3, actions.Size);
        Assert.Equal([-2f, 0f, -1f], actions.ToEnv([-1f, -1f, -1f]));
        Assert.Equal([2f, 10f, 3f], actions.ToEnv([1f, 1f, 1f]));
        Assert.Equal([0f, 5f, 1f], actions.ToEnv([0f, 0f, 0f]));
        Assert.Equal([1f, 2.5f, 2f], actions.ToEnv([0.5f, -0.5f, 0.5f]));
    }

    [Fact]
    public void ToEnv_ClipsValuesOutsideMinusOneToOne()
    {
        var actions = new BoxActions(new Box(-2, 2, [1], DType.Float32));

        Assert.Equal([2f], actions.ToEnv([1.7f]));
        Assert.Equal([-2f], actions.ToEnv([-40f]));
    }

    [Fact]
    public void BoxActions_WithAnInfiniteBound_SaysWhichEnvHasIt()
    {
        var unbounded = new Box(float.NegativeInfinity, float.PositiveInfinity, [2], DType.Float32);

        var error = Assert.Throws<AgentException>(() => new BoxActions(unbounded, "Unbounded-v0"));

        Assert.Contains("finite bounds; Unbounded-v0 has Box(", error.Message);
    }

    [Fact]
    public void FlatBoxAndBox_AcceptsFloat64Observations_AndRejectsImages()
    {
        var action = new Box(-1, 1, [6], DType.Float32);

        var (size, actions) = EnvChecks.FlatBoxAndBox(new Box(double.NegativeInfinity, double.PositiveInfinity, [17], DType.Float64), action, "HalfCheetah-v5", "td3");
        var error = Assert.Throws<AgentException>(() => EnvChecks.FlatBoxAndBox(new Box(0, 255, [4, 4, 3], DType.UInt8), action, "Pixels-v0", "td3"));

        Assert.Equal((17, 6), (size, actions.Size));
        Assert.StartsWith("td3 needs a float32 or float64 Box observation of one dimension; Pixels-v0 has Box(", error.Message);
    }

    [Fact]
    public void ToFloat32_RoundsFloat64Observations_AndCopiesFloat32Ones()
    {
        var into = new float[2];

        Networks.ToFloat32(NDArray.From([0.1, -1e10], 2), into);
        Assert.Equal([0.1f, -1e10f], into);
        Networks.ToFloat32(NDArray.From([3.5f, 4.25f], 2), into);
        Assert.Equal([3.5f, 4.25f], into);
        Assert.Throws<AgentException>(() => Networks.ToFloat32(NDArray.From([1f, 2f, 3f], 3), into));
    }

    [Fact]
    public void WithAssignments_SetsOptionsByTheirConfigNames()
    {
        var options = (Td3.Options)RunConfig.WithAssignments(new Td3.Options(), ["learning_starts=1000", "hidden_sizes=[64,64]", "tau=0.01"]);

        Assert.Equal(1000, options.LearningStarts);
        Assert.Equal([64, 64], options.HiddenSizes);
        Assert.Equal(0.01, options.Tau);
        Assert.Equal(new Td3.Options().BatchSize, options.BatchSize);
    }

    [Theory]
    [InlineData("learning_start=1000", "NAME one of learning_rate, buffer_size")]
    [InlineData("learning_starts", "NAME one of")]
    [InlineData("learning_starts=soon", "a value does not fit Options")]
    public void WithAssignments_WithAnUnknownNameOrABadValue_SaysWhatIsExpected(string assignment, string message)
    {
        var error = Assert.Throws<AgentException>(() => RunConfig.WithAssignments(new Ddpg.Options(), [assignment]));

        Assert.Contains(message, error.Message);
    }
}
