namespace ZeroGym.Tests.Client;

/// <summary>The C# client's view of each sub-env of an async vector env, and its checks of the server's batches.</summary>
public sealed class SubEnvTrackerTests
{
    [Theory]
    [InlineData(new[] { 1, 1 }, "sub-env 1 twice")]
    [InlineData(new[] { 0, 4 }, "sub-env 4")]
    [InlineData(new[] { -1, 0 }, "sub-env -1")]
    public void ABatchWithASubEnvRepeatedOrUnknown_IsABadReply_AndChangesNothing(int[] envIds, string named)
    {
        var tracker = TrackerWithEverySubEnvInFlight();

        var error = Assert.Throws<ZeroGymException>(() => tracker.Received(envIds, [], minBatch: 2));

        Assert.Equal(ZeroGymClient.BadReply, error.Code);
        Assert.Contains(named, error.Message);
        Assert.Equal(4, tracker.InFlight);
        Assert.Equal(1, tracker.PostedRecvs);
    }

    [Fact]
    public void ASubEnvInAResultAndAnErrorAtOnce_IsABadReply()
    {
        var tracker = TrackerWithEverySubEnvInFlight();

        var error = Assert.Throws<ZeroGymException>(() => tracker.Received([2], [new SubEnvFailure(2, ErrorCodes.EnvFailure, "boom")], minBatch: 2));

        Assert.Contains("sub-env 2 twice", error.Message);
    }

    [Fact]
    public void AGoodBatch_MakesItsSubEnvsIdle_AndAFailedOneFailed()
    {
        var tracker = TrackerWithEverySubEnvInFlight();

        tracker.Received([3], [new SubEnvFailure(0, ErrorCodes.EnvFailure, "boom")], minBatch: 2);

        Assert.Equal(2, tracker.InFlight);
        Assert.Equal(0, tracker.PostedRecvs);
        tracker.CheckSend([3], handle: 7);
        Assert.Contains("failed", Assert.Throws<ZeroGymException>(() => tracker.CheckSend([0], handle: 7)).Message);
        Assert.Contains("in flight", Assert.Throws<ZeroGymException>(() => tracker.CheckSend([1], handle: 7)).Message);
    }

    private static SubEnvTracker TrackerWithEverySubEnvInFlight()
    {
        var tracker = new SubEnvTracker(numEnvs: 4, batchSize: 2);
        tracker.ResetAll(inFlight: true);
        tracker.PostedRecv();
        return tracker;
    }
}
