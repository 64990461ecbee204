using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>SPEC.md §3.4, asynchronous vector envs, driven without sockets: the tests choose when queued work runs.</summary>
public sealed partial class RequestHandlerTests
{
    [Fact]
    public void Make_BatchSize_DefaultsToNumEnvs_AndIsEchoed()
    {
        Assert.Equal(4L, Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 4L)))["batch_size"]);
        Assert.Equal(3L, Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 4L), ("batch_size", 3L)))["batch_size"]);
        Assert.False(Ok(Call("a", "make", ("env", "CartPole-v1")))!.ContainsKey("batch_size"));
    }

    [Theory]
    [InlineData(0L, 4L)]
    [InlineData(5L, 4L)]
    [InlineData(2L, null)]
    public void Make_WithBatchSizeOutOfRange_IsInvalidArgument(long batchSize, long? numEnvs)
    {
        var fields = new List<(string, object?)> { ("env", "CartPole-v1"), ("batch_size", batchSize) };
        if (numEnvs is long n) fields.Add(("num_envs", n));
        Assert.Contains("batch_size", Error(Call("a", "make", [.. fields]), ErrorCodes.InvalidArgument));
        Assert.Equal(0, handler.OpenEnvCount);
    }

    [Fact]
    public void AsyncCalls_OnASingleEnv_AreInvalidArgument()
    {
        long handle = Make("a");
        Assert.Contains("vector envs", Error(Call("a", "recv", ("handle", handle)), ErrorCodes.InvalidArgument));
        Assert.Contains("vector envs", Error(Call("a", "async_reset", ("handle", handle)), ErrorCodes.InvalidArgument));
    }

    [Fact]
    public void Send_BeforeTheFirstReset_IsResetNeeded()
    {
        long handle = MakeVector("a", numEnvs: 2, batchSize: 1);
        Error(Call("a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(0))), ErrorCodes.ResetNeeded);
    }

    [Fact]
    public void AsyncReset_WithRecv_AnswersTheFirstBatch_AndTheRestFollowsOnRecv()
    {
        long handle = MakeVector("a", numEnvs: 4, batchSize: 2);

        var first = Answered(CallOn(handler, "a", "async_reset", ("handle", handle), ("seed", 7L), ("recv", true)));
        var second = Ok(Call("a", "recv", ("handle", handle)));

        Assert.Equal([0, 1, 2, 3], EnvIds(first).Concat(EnvIds(second)).Order());
        Assert.Equal([0.0, 0.0], Rewards(first));
        var singleReset = Ok(Call("b", "reset", ("handle", Make("b")), ("seed", 7L + EnvIds(first)[0])));
        Assert.Equal(Observation(singleReset), Rows(first)[0]);
    }

    [Fact]
    public void Recv_WithoutEnoughSubEnvsInFlight_IsInvalidArgument_AtOnce()
    {
        long handle = MakeVector("a", numEnvs: 4, batchSize: 3);
        Ok(Call("a", "async_reset", ("handle", handle)));
        Answered(CallOn(handler, "a", "recv", ("handle", handle)));

        Assert.Contains("only 1", Error(Call("a", "recv", ("handle", handle)), ErrorCodes.InvalidArgument));
    }

    [Fact]
    public void ARecvWaitsForItsBatch_AndLaterRepliesOfThatClientWaitBehindIt()
    {
        long handle = ResetVector("a", numEnvs: 2, batchSize: 2);
        long other = Make("b");

        Assert.Equal((long)nextId + 1, Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 1))))["id"]);
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle)));
        ulong recvId = nextId;
        Assert.Null(CallOn(handler, "a", "ping"));
        ulong pingId = nextId;
        // Another client is not held up by it.
        Ok(Call("b", "reset", ("handle", other)));

        Assert.True(handler.HasQueuedWork);
        handler.RunQueuedWork();
        var flushed = Flush(handler);

        Assert.Equal([("a", recvId), ("a", pingId)], flushed.Select(reply => (reply.Client, (ulong)(long)reply.Message["id"]!)));
        Assert.Equal([0, 1], EnvIds(flushed[0].Message).Order());
        Assert.Empty(Flush(handler));
    }

    [Fact]
    public void AClientAnsweredAfterALongWait_IsIdleOnlyAnIdleTimeoutAfterTheAnswer()
    {
        long handle = ResetVector("a", numEnvs: 2, batchSize: 2);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 1))));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle)));

        // The batch comes 12 s after the recv (idle timeout 10 s): waiting for it was not silence.
        clock.Advance(TimeSpan.FromSeconds(12));
        handler.CloseIdleClients();
        handler.RunQueuedWork();
        Assert.Single(Flush(handler));
        handler.CloseIdleClients();
        Assert.Equal(1, handler.OpenEnvCount);

        clock.Advance(TimeSpan.FromSeconds(11));
        handler.CloseIdleClients();
        Assert.Equal(0, handler.OpenEnvCount);
    }

    [Fact]
    public void Send_RejectedAsAWhole_ChangesNothing()
    {
        long handle = ResetVector("a", numEnvs: 3, batchSize: 1);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(1))));

        Assert.Contains("in flight", Error(Call("a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(1))), ErrorCodes.InvalidArgument));
        Assert.Contains("twice", Error(Call("a", "send", ("handle", handle), ("env_id", Ids(1, 1)), ("action", Actions(1, 1))), ErrorCodes.InvalidArgument));
        Assert.Contains("0 to 2", Error(Call("a", "send", ("handle", handle), ("env_id", Ids(3)), ("action", Actions(1))), ErrorCodes.InvalidArgument));
        Assert.Contains("no sub-env", Error(Call("a", "send", ("handle", handle), ("env_id", Ids()), ("action", Actions())), ErrorCodes.InvalidArgument));
        Error(Call("a", "send", ("handle", handle), ("env_id", Ids(1, 2)), ("action", Actions(1))), ErrorCodes.InvalidAction);

        // Only sub-env 0 was ever sent to: one batch comes back, then there is nothing more in flight.
        handler.RunQueuedWork();
        Assert.Equal([0], EnvIds(Ok(Call("a", "recv", ("handle", handle)))));
        Error(Call("a", "recv", ("handle", handle)), ErrorCodes.InvalidArgument);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(1, 2)), ("action", Actions(0, 1))));
    }

    [Fact]
    public void AnInvalidActionOfOneSubEnv_ComesBackForIt_AndTheOthersStep()
    {
        long handle = ResetVector("a", numEnvs: 3, batchSize: 3);

        var batch = Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(2, 0, 1)), ("action", Actions(1, 5, 0)), ("recv", true)));

        Assert.Equal([1, 2], EnvIds(batch).Order());
        var error = Assert.Single(SubEnvErrors(batch));
        Assert.Equal((0L, ErrorCodes.InvalidAction), ((long)error["env_id"]!, (string)error["code"]!));
        Assert.Contains("action 5 of sub-env 0", (string)error["message"]!);
        // The rejected sub-env is idle and unchanged: it takes a valid action now.
        Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2)), ("action", Actions(1, 1, 1)), ("recv", true)));
    }

    [Fact]
    public void ASubEnvThatFails_IsReportedInItsBatch_RejectsActions_AndIsMadeAnewByReset()
    {
        long handle = MakeVector("a", numEnvs: 3, batchSize: 3, envId: FlakyEnv.Spec.Id);
        Ok(Call("a", "reset", ("handle", handle)));

        var batch = Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2)), ("action", Actions(0, FlakyEnv.Explode, 1)), ("recv", true)));

        Assert.Equal([0, 2], EnvIds(batch));
        var error = Assert.Single(SubEnvErrors(batch));
        Assert.Equal((1L, ErrorCodes.EnvFailure), ((long)error["env_id"]!, (string)error["code"]!));
        Assert.Contains("physics exploded", (string)error["message"]!);
        Assert.Contains("failed", Error(Call("a", "send", ("handle", handle), ("env_id", Ids(1)), ("action", Actions(0))), ErrorCodes.InvalidArgument));
        Error(Call("a", "step", ("handle", handle), ("action", Actions(0, 0, 0))), ErrorCodes.ResetNeeded);

        Ok(Call("a", "reset", ("handle", handle)));
        Assert.Equal([0, 1, 2], EnvIds(Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0, 1, 2)), ("action", Actions(0, 0, 0)), ("recv", true)))));
    }

    [Fact]
    public void Step_WithSubEnvsInFlight_IsInvalidArgument_AndReset_FinishesThemFirst()
    {
        long handle = ResetVector("a", numEnvs: 2, batchSize: 1);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(1, 1))));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle)));
        ulong recvId = nextId;

        Assert.Null(CallOn(handler, "a", "step", ("handle", handle), ("action", Actions(0, 0))));
        Assert.Null(CallOn(handler, "a", "reset", ("handle", handle), ("seed", 3L)));
        var flushed = Flush(handler).Select(reply => reply.Message).ToList();

        Assert.Equal(3, flushed.Count);
        Assert.Equal(recvId, (ulong)(long)flushed[0]["id"]!);
        Assert.Single(EnvIds(flushed[0]));
        Assert.Contains("in flight", Error(flushed[1], ErrorCodes.InvalidArgument));
        Ok(flushed[2]);
        // The reset dropped the result nobody received: nothing is in flight, and step works again.
        Error(Call("a", "recv", ("handle", handle)), ErrorCodes.InvalidArgument);
        Ok(Call("a", "step", ("handle", handle), ("action", Actions(0, 0))));
    }

    [Fact]
    public void SendWithRecv_ToAVectorEnvWithNothingQueued_StepsAtOnce_AndItsBatchIsTheReply()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 2);

        var batch = CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(3, 1)), ("action", Actions(0, 1)), ("recv", true));

        Assert.NotNull(batch);
        Assert.Equal([3, 1], EnvIds(Ok(batch)));
        Assert.False(handler.HasQueuedWork);
        Assert.Empty(Flush(handler));
    }

    [Fact]
    public void SendWithRecv_BehindQueuedWork_WaitsForItsTurn_AndTheEarlierStepsComeFirst()
    {
        long handle = ResetVector("a", numEnvs: 4, batchSize: 2);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 0))));

        Assert.Null(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(2, 3)), ("action", Actions(1, 1)), ("recv", true)));
        handler.RunQueuedWork();

        Assert.Equal([0, 1], EnvIds(Assert.Single(Flush(handler)).Message));
        Assert.True(handler.HasQueuedWork);
        handler.RunQueuedWork();
        Assert.Equal([2, 3], EnvIds(Ok(Call("a", "recv", ("handle", handle)))));
    }

    [Fact]
    public void SendWithRecv_WhileAnotherClientsWorkWaitsForItsTurn_TakesItsOwnTurnAfterIt()
    {
        long first = ResetVector("a", numEnvs: 2, batchSize: 2);
        long second = ResetVector("b", numEnvs: 2, batchSize: 2);
        Ok(Call("a", "send", ("handle", first), ("env_id", Ids(0, 1)), ("action", Actions(0, 0))));

        Assert.Null(CallOn(handler, "b", "send", ("handle", second), ("env_id", Ids(0, 1)), ("action", Actions(1, 1)), ("recv", true)));
        handler.RunQueuedWork();
        Assert.Empty(Flush(handler));
        handler.RunQueuedWork();

        var reply = Assert.Single(Flush(handler));
        Assert.Equal("b", reply.Client);
        Assert.Equal([0, 1], EnvIds(reply.Message));
    }

    [Fact]
    public void VectorEnvsOfDifferentClients_TakeTurnsAtTheQueuedWork()
    {
        long first = ResetVector("a", numEnvs: 2, batchSize: 2);
        long second = ResetVector("b", numEnvs: 2, batchSize: 2);
        // Sends without recv are queued (no client waits for them yet), then each client's recv waits.
        Ok(Call("a", "send", ("handle", first), ("env_id", Ids(0, 1)), ("action", Actions(0, 0))));
        Ok(Call("b", "send", ("handle", second), ("env_id", Ids(0, 1)), ("action", Actions(0, 0))));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", first)));
        Assert.Null(CallOn(handler, "b", "recv", ("handle", second)));

        handler.RunQueuedWork();
        Assert.Equal(["a"], Flush(handler).Select(reply => reply.Client));
        handler.RunQueuedWork();
        Assert.Equal(["b"], Flush(handler).Select(reply => reply.Client));
        Assert.False(handler.HasQueuedWork);
    }

    [Fact]
    public void EachTurnRunsOneSend_SoTheFirstSendsBatchGoesOutBeforeTheSecondSendSteps()
    {
        // Two batches queued behind one another with their recvs waiting: the first must not wait for the second's steps.
        long handle = ResetVector("a", numEnvs: 4, batchSize: 2);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(2, 3)), ("action", Actions(0, 0))));
        Assert.Null(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(1, 1)), ("recv", true)));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle)));

        handler.RunQueuedWork();
        var first = Assert.Single(Flush(handler));
        Assert.Equal([2, 3], EnvIds(first.Message));
        Assert.True(handler.HasQueuedWork);

        handler.RunQueuedWork();
        Assert.Equal([0, 1], EnvIds(Assert.Single(Flush(handler)).Message));
        Assert.False(handler.HasQueuedWork);
    }

    [Fact]
    public void Close_WithARecvWaiting_AnswersItFirst()
    {
        long handle = ResetVector("a", numEnvs: 2, batchSize: 2);
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0, 1)), ("action", Actions(0, 0))));
        Assert.Null(CallOn(handler, "a", "recv", ("handle", handle)));
        Assert.Null(CallOn(handler, "a", "close", ("handle", handle)));

        var flushed = Flush(handler).Select(reply => reply.Message).ToList();

        Assert.Equal(2, EnvIds(flushed[0]).Length);
        Assert.Equal([new KeyValuePair<object, object?>("id", (long)nextId)], flushed[1]);
        Assert.False(handler.HasQueuedWork);
    }

    [Fact]
    public void AutoresetMode_IsChosenAtMake_Echoed_AndCheckedThere()
    {
        Assert.Equal("next_step", Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 2L)))["autoreset_mode"]);
        Assert.Equal("same_step", Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 2L), ("autoreset_mode", "same_step")))["autoreset_mode"]);
        Assert.Contains("'next_step', 'same_step', 'disabled'", Error(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 2L), ("autoreset_mode", "sometimes")), ErrorCodes.InvalidArgument));
        Assert.Contains("vector envs", Error(Call("a", "make", ("env", "CartPole-v1"), ("autoreset_mode", "disabled")), ErrorCodes.InvalidArgument));
    }

    [Fact]
    public void WithAutoresetDisabled_AnEndedSubEnvTakesNoAction_UntilAResetMaskResetsIt()
    {
        var oneStep = new Dictionary<string, object?> { ["max_episode_steps"] = 1L };
        long handle = (long)Ok(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", 2L), ("batch_size", 1L), ("autoreset_mode", "disabled"), ("kwargs", oneStep)))["handle"]!;
        var reset = Ok(Call("a", "reset", ("handle", handle), ("seed", 1L)));
        Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(1)), ("recv", true)));

        Assert.Contains("reset_mask", Error(Call("a", "step", ("handle", handle), ("action", Actions(0, 0))), ErrorCodes.ResetNeeded));
        var refused = Answered(CallOn(handler, "a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(1)), ("recv", true)));
        Assert.Equal(ErrorCodes.ResetNeeded, Assert.Single(SubEnvErrors(refused))["code"]);

        var masked = Ok(Call("a", "reset", ("handle", handle), ("seed", 10L), ("options", new Dictionary<string, object?> { ["reset_mask"] = new object?[] { true, false } })));
        Assert.Equal(Rows(reset)[1], Rows(masked)[1]);
        Assert.Equal(Observation(Ok(Call("b", "reset", ("handle", Make("b")), ("seed", 10L)))), Rows(masked)[0]);
        Ok(Call("a", "step", ("handle", handle), ("action", Actions(0, 0))));
    }

    [Fact]
    public void AResetMask_WithSubEnvsInFlight_OrOnAsyncReset_IsInvalidArgument()
    {
        long handle = ResetVector("a", numEnvs: 2, batchSize: 1);
        var mask = new Dictionary<string, object?> { ["reset_mask"] = NDArray.From([true, false], 2) };
        Ok(Call("a", "send", ("handle", handle), ("env_id", Ids(0)), ("action", Actions(1))));

        Assert.Contains("in flight", Error(Call("a", "reset", ("handle", handle), ("options", mask)), ErrorCodes.InvalidArgument));
        Assert.Contains("reset_mask", Error(Call("a", "async_reset", ("handle", handle), ("options", mask)), ErrorCodes.InvalidArgument));
        Assert.Contains("2 bools", Error(Call("a", "reset", ("handle", handle), ("options", new Dictionary<string, object?> { ["reset_mask"] = new object?[] { true } })), ErrorCodes.InvalidArgument));
    }

    /// <summary>
    /// Whatever the batches, the interleaving of requests and work, and the order sub-envs finish in (random delays
    /// step them over the cores in any order), each sub-env's results are exactly those of a single env seeded seed + i
    /// given the same actions, with next-step autoreset; a batch never holds a sub-env twice, and only sub-envs sent
    /// to come back. <paramref name="onWorkerThreads"/>: the delayed sub-envs are expensive enough to step on worker
    /// threads, concurrently with the requests, as in the server. With <paramref name="minBatch"/> below the batch size
    /// (protocol 1.3) every recv asks for that minimum: each batch holds from it to the batch size, and recvs waiting
    /// together are all answered.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 11, false)]
    [InlineData(3, 3, 12, false)]
    [InlineData(6, 6, 13, false)]
    [InlineData(1, 1, 21, true)]
    [InlineData(3, 3, 22, true)]
    [InlineData(6, 6, 23, true)]
    [InlineData(4, 1, 31, false)]
    [InlineData(6, 2, 32, false)]
    [InlineData(4, 1, 41, true)]
    [InlineData(6, 2, 42, true)]
    public void EverySubEnv_GivesExactlyTheResultsOfASingleEnv_WhateverTheTiming(int batchSize, int minBatch, int testSeed, bool onWorkerThreads)
    {
        const int numEnvs = 6, seed = 100, sends = 60;
        var random = new Random(testSeed);
        using var workers = onWorkerThreads ? new VectorWorkRunner(2, TimeSpan.Zero, signal: () => { }) : null;
        using var delayed = new RequestHandler(registry, new ServerOptions { InjectedDelay = TimeSpan.FromMicroseconds(300) }, new ServerLog(TextWriter.Null), null, workers);
        bool sawWorkOnWorkers = false;
        var shortEpisodes = new Dictionary<string, object?> { ["max_episode_steps"] = 4L };
        long handle = (long)Ok(CallOn(delayed, "a", "make", ("env", "CartPole-v1"), ("num_envs", (long)numEnvs), ("batch_size", (long)batchSize), ("kwargs", shortEpisodes))!)["handle"]!;
        var actionsSent = Enumerable.Range(0, numEnvs).Select(_ => new List<long>()).ToArray();
        var received = Enumerable.Range(0, numEnvs).Select(_ => new List<(float[] Obs, double Reward, bool Terminated, bool Truncated)>()).ToArray();
        var idle = new HashSet<int>();
        int inFlight = numEnvs, awaited = 0;

        void Receive(Dictionary<object, object?> batch)
        {
            var ids = EnvIds(batch);
            if (minBatch == batchSize) Assert.Equal(batchSize, ids.Length);
            else Assert.InRange(ids.Length, minBatch, batchSize);
            Assert.Equal(ids.Length, ids.Distinct().Count());
            var rows = Rows(batch);
            var (rewards, terminated, truncated) = (Rewards(batch), Flags(batch, "terminated"), Flags(batch, "truncated"));
            for (int k = 0; k < ids.Length; k++)
            {
                Assert.DoesNotContain(ids[k], idle);
                received[ids[k]].Add((rows[k], rewards[k], terminated[k], truncated[k]));
                idle.Add(ids[k]);
            }

            inFlight -= ids.Length;
        }

        void Post(Dictionary<object, object?>? reply, bool answeredWithBatch)
        {
            // A held reply comes out of a flush later; one answered at once with a batch is received now.
            if (reply is null) awaited += answeredWithBatch ? 1 : 0;
            else if (answeredWithBatch) Receive(Ok(reply));
        }

        void FlushAll()
        {
            foreach (var (_, message) in Flush(delayed))
            {
                if (!message.ContainsKey("env_id")) continue;
                Receive(message);
                awaited--;
            }
        }

        // A client cannot know how many results an unanswered recv takes beyond its minimum: it counts batch_size.
        bool BatchClaimable() => inFlight - (awaited * batchSize) >= minBatch;
        var minBatchField = ("min_batch", minBatch == batchSize ? null : (object?)(long)minBatch);

        Post(CallOn(delayed, "a", "async_reset", ("handle", handle), ("seed", (long)seed)), answeredWithBatch: false);
        for (int send = 0; send < sends;)
        {
            // Requests and queued work interleave at random, as they would with any timing of a real client.
            int choice = random.Next(3);
            sawWorkOnWorkers |= delayed.HasWorkOnWorkers;
            if (choice == 0 && delayed.HasQueuedWork)
            {
                delayed.RunQueuedWork();
            }
            else if (choice == 0)
            {
                // What the server's loop does when the worker threads signal.
                delayed.CollectFinishedWork();
            }
            else if (choice == 1 && idle.Count > 0)
            {
                var chosen = idle.OrderBy(_ => random.Next()).Take(random.Next(1, idle.Count + 1)).ToArray();
                var actions = chosen.Select(_ => (long)random.Next(2)).ToArray();
                for (int k = 0; k < chosen.Length; k++) actionsSent[chosen[k]].Add(actions[k]);
                idle.ExceptWith(chosen);
                inFlight += chosen.Length;
                bool withRecv = BatchClaimable() && random.Next(2) == 0;
                Post(CallOn(delayed, "a", "send", ("handle", handle), ("env_id", Ids([.. chosen.Select(id => (long)id)])),
                    ("action", Actions(actions)), ("recv", withRecv), minBatchField), withRecv);
                send++;
            }
            else if (BatchClaimable())
            {
                Post(CallOn(delayed, "a", "recv", ("handle", handle), minBatchField), answeredWithBatch: true);
            }

            FlushAll();
        }

        // Drain: a recv with min_batch below batch_size may take fewer than batch_size, so claim again until what is
        // left in flight is below a minimum.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            while (BatchClaimable()) Post(CallOn(delayed, "a", "recv", ("handle", handle), minBatchField), answeredWithBatch: true);
            while (delayed.HasQueuedWork) delayed.RunQueuedWork();
            delayed.CollectFinishedWork();
            FlushAll();
        }
        while ((awaited > 0 || inFlight >= minBatch) && DateTime.UtcNow < deadline && Thread.Yield());

        Assert.Equal(onWorkerThreads, sawWorkOnWorkers);
        Assert.Equal(0, awaited);
        Assert.True(inFlight < minBatch);
        for (int i = 0; i < numEnvs; i++)
        {
            // Everything sent was received, except what is left in flight (fewer than a batch).
            Assert.InRange(received[i].Count, actionsSent[i].Count, actionsSent[i].Count + 1);
            Assert.Equal(SingleEnvResults(seed + i, actionsSent[i], shortEpisodes).Take(received[i].Count), received[i].Select(Rounded));
        }
    }

    /// <summary>The reset and step results of one CartPole seeded <paramref name="seed"/>, resetting (unseeded) after each episode end.</summary>
    private List<(string, double, bool, bool)> SingleEnvResults(long seed, List<long> actions, Dictionary<string, object?> kwargs)
    {
        long handle = (long)Ok(Call("single", "make", ("env", "CartPole-v1"), ("kwargs", kwargs)))["handle"]!;
        var results = new List<(string, double, bool, bool)> { Rounded((Observation(Ok(Call("single", "reset", ("handle", handle), ("seed", seed)))), 0, false, false)) };
        bool ended = false;
        foreach (long action in actions)
        {
            var reply = Ok(Call("single", ended ? "reset" : "step", ("handle", handle), ("action", action)));
            var result = ended ? (Observation(reply), 0.0, false, false)
                : (Observation(reply), (double)reply["reward"]!, (bool)reply["terminated"]!, (bool)reply["truncated"]!);
            ended = result.Item3 || result.Item4;
            results.Add(Rounded(result));
        }

        Ok(Call("single", "close", ("handle", handle)));
        return results;
    }

    private static (string, double, bool, bool) Rounded((float[] Obs, double Reward, bool Terminated, bool Truncated) result) =>
        (string.Join(",", result.Obs.Select(value => value.ToString("R"))), result.Reward, result.Terminated, result.Truncated);

    private long MakeVector(string client, int numEnvs, int batchSize, string envId = "CartPole-v1") =>
        (long)Ok(Call(client, "make", ("env", envId), ("num_envs", (long)numEnvs), ("batch_size", (long)batchSize)))["handle"]!;

    private long ResetVector(string client, int numEnvs, int batchSize)
    {
        long handle = MakeVector(client, numEnvs, batchSize);
        Ok(Call(client, "reset", ("handle", handle), ("seed", 0L)));
        return handle;
    }

    /// <summary>The reply of a request answered with a batch: held until its work ran, then flushed.</summary>
    private Dictionary<object, object?> Answered(Dictionary<object, object?>? reply)
    {
        if (reply is not null) return Ok(reply);
        while (handler.HasQueuedWork) handler.RunQueuedWork();
        return Ok(Assert.Single(Flush(handler)).Message);
    }

    private static List<(string Client, Dictionary<object, object?> Message)> Flush(RequestHandler server)
    {
        var replies = new List<(string, Dictionary<object, object?>)>();
        server.FlushHeldReplies((client, bytes) => replies.Add((client, Decode(bytes.ToArray()))));
        return replies;
    }

    private static NDArray Ids(params long[] ids) => NDArray.From(ids, ids.Length);

    private static NDArray Actions(params long[] actions) => NDArray.From(actions, actions.Length);

    private static int[] EnvIds(Dictionary<object, object?> batch) => WireFormat.ReadArray(batch["env_id"], "env_id").ToArray<long>().Select(id => (int)id).ToArray();

    private static double[] Rewards(Dictionary<object, object?> batch) => WireFormat.ReadArray(batch["reward"], "reward").ToArray<double>();

    private static bool[] Flags(Dictionary<object, object?> batch, string key) => WireFormat.ReadArray(batch[key], key).ToArray<bool>();

    private static float[][] Rows(Dictionary<object, object?> batch)
    {
        var obs = WireFormat.ReadArray(batch["obs"], "obs");
        var values = obs.ToArray<float>();
        return Enumerable.Range(0, obs.Shape[0]).Select(row => values[(row * 4)..((row + 1) * 4)]).ToArray();
    }

    private static List<Dictionary<object, object?>> SubEnvErrors(Dictionary<object, object?> batch) =>
        ((object?[])batch["errors"]!).Cast<Dictionary<object, object?>>().ToList();

    /// <summary>An env whose physics fail on one action, so that one sub-env of a vector env can fail alone.</summary>
    private sealed class FlakyEnv : Env
    {
        public const long Explode = 2;

        public static readonly EnvSpec Spec = new(
            "Flaky-v0", (_, _) => new FlakyEnv(), new Dictionary<string, object?>(), null, null, [], 30, "fails on action 2");

        public override Space ObservationSpace { get; } = new Box(0, 1, [4], DType.Float32);

        public override Space ActionSpace { get; } = new Discrete(3);

        public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) => new(NDArray.Zeros(DType.Float32, 4), Info.Empty);

        public override StepResult Step(object action) => (long)action == Explode
            ? throw new InvalidOperationException("physics exploded")
            : new StepResult(NDArray.Zeros(DType.Float32, 4), 1, false, false, Info.Empty);
    }
}
