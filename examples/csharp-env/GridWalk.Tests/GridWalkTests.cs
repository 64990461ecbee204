using Xunit;
using ZeroGym.Arrays;

namespace GridWalk.Tests;

/// <summary>What the doc comment of <see cref="GridWalkEnv"/> promises beyond the conformance checklist.</summary>
public sealed class GridWalkTests
{
    [Fact]
    public void WalkingDownThenRight_ReachesTheGoal_WithReward1_AndTerminates()
    {
        using var env = GridWalkEnv.Spec.Make(new Dictionary<string, object?> { ["size"] = 3L });
        env.Reset(seed: 7);

        var last = env.Step(2L);
        for (int i = 0; i < 5 && !last.Terminated; i++) last = env.Step(i % 2 == 0 ? 1L : 2L);

        Assert.True(last.Terminated);
        Assert.Equal(1.0, last.Reward);
        Assert.Equal([2L, 2L], ((NDArray)last.Observation).ToArray<long>());
    }

    [Fact]
    public void WalkingIntoTheEdge_StaysOnTheGrid()
    {
        using var env = GridWalkEnv.Spec.Make();
        env.Reset(seed: 1);

        for (int i = 0; i < 6; i++) env.Step(0L);
        var result = env.Step(3L);
        for (int i = 0; i < 5; i++) result = env.Step(3L);

        Assert.Equal([0L, 0L], ((NDArray)result.Observation).ToArray<long>());
        Assert.Equal(0.0, result.Reward);
    }
}
