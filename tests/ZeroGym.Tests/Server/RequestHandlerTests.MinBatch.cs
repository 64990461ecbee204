using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Server;

/// <summary>SPEC.md §3.4, protocol 1.3: <c>min_batch</c> answers a recv with whatever is ready once that many are.</summary>
public sealed partial class RequestHandlerTests
{
    [Fact]
    public void Hello_OffersRecvMinBatch()
    {
        var capabilities = ((object?[])Ok(Call("a", "hello", ("protocol", 1L)))["capabilities"]!).Cast<string>();

        Assert.Contains(ProtocolConstants.RecvMinBatchCapability, capabilities);
    }

    [Fact]
    public void Recv_WithMinBatch_IsAnsweredAtOnce_WithEveryReadyResult_UpToTheBatchSize()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 3);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 1))));
        handler.RunQueuedWork();

        Assert.Equal([0, 1], EnvIds(Ok(Call("a", "recv", ("handle", handle), ("min_batch", 1L)))).Order());

        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2, 3)), ("action", Actions(0, 1, 0, 1))));
        handler.RunQueuedWork();
        // Four are ready, but a batch holds at most batch_size; the fourth waits for the next recv.
        var first = EnvIds(Ok(Call("a", "recv", ("handle", handle), ("min_batch", 1L))));
        var second = EnvIds(Ok(Call("a", "recv", ("handle", handle), ("min_batch", 1L))));
        Assert.Equal(3, first.Length);
        Assert.Equal([0, 1, 2, 3], first.Concat(second).Order());
    }

    [Fact]
    public void SendWithRecv_AndMinBatch_IsAnsweredWithThatMany_NotHeldForTheBatchSize()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 4);

        // Two sent with a recv that takes two: answered with them, not held for a batch of four.
        var batch = Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(2, 3)), ("action", Actions(0, 1)), ("recv", true), ("min_batch", 2L)));

        Assert.Equal([2, 3], EnvIds(batch).Order());
        Assert.Empty(Flush(handler));
    }

    [Fact]
    public void WaitingRecvs_WithMinimums_EachTakeNoMoreThanLeavesTheLaterOnesTheirs()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 4);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2)), ("action", Actions(0, 1, 0))));

        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle), ("min_batch", 1L)));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle), ("min_batch", 2L)));
        // Three in flight, claimed 1 + 2: a third recv could never be answered.
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle), ("min_batch", 1L)));
        handler.RunQueuedWork();
        var flushed = Flush(handler).Select(reply => reply.Message).ToList();

        Assert.Equal(3, flushed.Count);
        Assert.Single(EnvIds(flushed[0]));
        Assert.Equal(2, EnvIds(flushed[1]).Length);
        Assert.Equal([0, 1, 2], EnvIds(flushed[0]).Concat(EnvIds(flushed[1])).Order());
        Assert.Contains("at least min_batch (1)", Error(flushed[2], ErrorCodes.InvalidArgument));
    }

    [Fact]
    public void Recv_WithAMinimumBeyondWhatIsInFlight_IsInvalidArgument_AtOnce()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 4);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 1))));

        Assert.Contains("only 2", Error(Call("a", "recv", ("handle", handle), ("min_batch", 3L)), ErrorCodes.InvalidArgument));
        Assert.Contains("only 3", Error(Call("a", "send", ("handle", handle), ("env_id", Ids(3)), ("action", Actions(0)), ("recv", true), ("min_batch", 4L)), ErrorCodes.InvalidArgument));

        // Neither changed anything: sub-env 3 is idle, and the two in flight answer a recv of 2.
        handler.RunQueuedWork();
        Assert.Equal([0, 1], EnvIds(Ok(Call("a", "recv", ("handle", handle), ("min_batch", 2L)))).Order());
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(3)), ("action", Actions(0))));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(4L)]
    [InlineData(-1L)]
    public void MinBatch_OutsideOneToTheBatchSize_IsInvalidArgument_AndChangesNothing(long minBatch)
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 3);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2)), ("action", Actions(0, 1, 0))));

        Assert.Contains("between 1 and batch_size (3)", Error(Call("a", "recv", ("handle", handle), ("min_batch", minBatch)), ErrorCodes.InvalidArgument));
        Assert.Contains("between 1 and batch_size (3)",
            Error(Call("a", "send", ("handle", handle), ("env_id", Ids(3)), ("action", Actions(0)), ("recv", true), ("min_batch", minBatch)), ErrorCodes.InvalidArgument));
        Assert.Contains("between 1 and batch_size (3)", Error(Call("a", "async_reset", ("handle", handle), ("recv", true), ("min_batch", minBatch)), ErrorCodes.InvalidArgument));

        handler.RunQueuedWork();
        Assert.Equal([0, 1, 2], EnvIds(Ok(Call("a", "recv", ("handle", handle)))).Order());
    }

    [Fact]
    public void AsyncReset_WithRecvAndMinBatch_AnswersWithTheResetsReady()
    {
        long handle = MakeVector("a", numEnvs: 4, batchSize: 4);

        var batch = Answered(CallOn(handler, "a", "async_reset", ("handle", handle), ("seed", 5L), ("recv", true), ("min_batch", 1L)));

        Assert.Equal([0, 1, 2, 3], EnvIds(batch).Order());
    }
}
