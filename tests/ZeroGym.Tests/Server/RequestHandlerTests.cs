using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Server;

/// <summary>The request semantics of SPEC.md §3, driven without sockets.</summary>
public sealed partial class RequestHandlerTests : IDisposable
{
    private readonly ManualClock clock = new();
    private readonly StringWriter log = new();
    private readonly EnvRegistry registry;
    private readonly RequestHandler handler;
    private ulong nextId;

    public RequestHandlerTests()
    {
        registry = BuiltInEnvs.CreateRegistry();
        registry.Register(FailingEnv.Spec);
        registry.Register(FlakyEnv.Spec);
        registry.Register(Envs.ImageEnv.Spec);
        handler = new RequestHandler(registry, new ServerOptions { IdleTimeout = TimeSpan.FromSeconds(10), MaxEnvsPerClient = 3 }, new ServerLog(log), clock);
    }

    public void Dispose() => handler.Dispose();

    [Fact]
    public void Hello_ReportsProtocolAndLimits()
    {
        var reply = Ok(Call("a", "hello", ("protocol", 1)));
        Assert.Equal(1L, reply["protocol"]);
        Assert.Equal("zerogym-server", reply["server"]);
        Assert.Contains("vector", (object?[])reply["capabilities"]!);
        Assert.Equal((long)(1 << 20), reply["max_message_bytes"]);
        Assert.Equal(10.0, reply["idle_timeout"]);
    }

    [Fact]
    public void Hello_WithOtherProtocolVersion_IsVersionMismatch()
    {
        var error = Error(Call("a", "hello", ("protocol", 2)), ErrorCodes.VersionMismatch);
        Assert.Contains("speaks protocol 1", error);
    }

    [Fact]
    public void IsCompatible_AcceptsOnlyTheSameVersion()
    {
        Assert.True(ProtocolConstants.IsCompatible(ProtocolConstants.Version));
        Assert.False(ProtocolConstants.IsCompatible(ProtocolConstants.Version + 1));
        Assert.False(ProtocolConstants.IsCompatible(0));
    }

    [Fact]
    public void List_DescribesCartPole()
    {
        var envs = (object?[])Ok(Call("a", "list"))["envs"]!;
        var cartPole = envs.Cast<Dictionary<object, object?>>().Single(spec => (string)spec["id"]! == "CartPole-v1");
        Assert.Equal(500L, cartPole["max_episode_steps"]);
        Assert.Equal(475.0, cartPole["reward_threshold"]);
        Assert.Equal(false, ((Dictionary<object, object?>)cartPole["kwargs"]!)["sutton_barto_reward"]);
    }

    [Fact]
    public void Make_ReturnsHandleSpacesAndSpec()
    {
        var reply = Ok(Call("a", "make", ("env", "CartPole-v1")));
        Assert.IsType<long>(reply["handle"]);
        var observationSpace = (Box)WireFormat.ReadSpace(reply["observation_space"]);
        Assert.Equal([4], observationSpace.Shape);
        Assert.Equal(DType.Float32, observationSpace.DType);
        Assert.Equal(float.PositiveInfinity, observationSpace.High.AsSpan<float>()[1]);
        Assert.Equal(new Discrete(2), WireFormat.ReadSpace(reply["action_space"]));
        var spec = (Dictionary<object, object?>)reply["spec"]!;
        Assert.Equal(500L, spec["max_episode_steps"]);
        Assert.False(((Dictionary<object, object?>)spec["kwargs"]!).ContainsKey("max_episode_steps"));
    }

    [Fact]
    public void Make_WithMaxEpisodeSteps_TruncatesThere()
    {
        long handle = Make("a", kwargs: new Dictionary<string, object?> { ["max_episode_steps"] = 3L });
        Ok(Call("a", "reset", ("handle", handle), ("seed", 0)));
        Assert.Equal(false, Ok(Call("a", "step", ("handle", handle), ("action", 0)))["truncated"]);
        Assert.Equal(false, Ok(Call("a", "step", ("handle", handle), ("action", 1)))["truncated"]);
        Assert.Equal(true, Ok(Call("a", "step", ("handle", handle), ("action", 0)))["truncated"]);
    }

    [Theory]
    [InlineData("Pong-v5", ErrorCodes.UnknownEnv, "this server has")]
    public void Make_UnknownEnv_ListsKnownEnvs(string envId, string code, string expected) =>
        Assert.Contains(expected, Error(Call("a", "make", ("env", envId)), code));

    [Fact]
    public void Make_WithUnknownKwarg_IsInvalidArgumentNamingTheKwargs()
    {
        var message = Error(Call("a", "make", ("env", "CartPole-v1"), ("kwargs", new Dictionary<string, object?> { ["gravity"] = 3.0 })), ErrorCodes.InvalidArgument);
        Assert.Contains("sutton_barto_reward", message);
        Assert.Contains("gravity", message);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(100_000L)]
    public void Make_WithNumEnvsOutOfRange_IsInvalidArgument(long numEnvs) =>
        Error(Call("a", "make", ("env", "CartPole-v1"), ("num_envs", numEnvs)), ErrorCodes.InvalidArgument);

    [Fact]
    public void Make_WithUnknownRenderMode_IsInvalidArgument() =>
        Assert.Contains("rgb_array", Error(Call("a", "make", ("env", "CartPole-v1"), ("render_mode", "human")), ErrorCodes.InvalidArgument));

    [Fact]
    public void Make_BeyondTheClientLimit_IsLimitExceeded_AndOtherClientsAreNotAffected()
    {
        for (int i = 0; i < 3; i++) Make("a");
        Error(Call("a", "make", ("env", "CartPole-v1")), ErrorCodes.LimitExceeded);
        Make("b");
        Assert.Equal(4, handler.OpenEnvCount);
    }

    [Fact]
    public void Step_BeforeReset_IsResetNeeded()
    {
        long handle = Make("a");
        Assert.Contains("reset", Error(Call("a", "step", ("handle", handle), ("action", 0)), ErrorCodes.ResetNeeded));
    }

    [Fact]
    public void Step_AfterTermination_IsResetNeeded_UntilReset()
    {
        long handle = Make("a");
        Ok(Call("a", "reset", ("handle", handle), ("seed", 1)));
        bool terminated = false;
        for (int i = 0; i < 200 && !terminated; i++) terminated = (bool)Ok(Call("a", "step", ("handle", handle), ("action", 1)))["terminated"]!;
        Assert.True(terminated);
        Error(Call("a", "step", ("handle", handle), ("action", 1)), ErrorCodes.ResetNeeded);
        Ok(Call("a", "reset", ("handle", handle)));
        Ok(Call("a", "step", ("handle", handle), ("action", 1)));
    }

    public static TheoryData<object?> InvalidCartPoleActions() => new() { 2L, -1L, 1.5, "left", null, double.NaN, new object?[] { 0L, 1L } };

    [Theory]
    [MemberData(nameof(InvalidCartPoleActions))]
    public void Step_WithInvalidAction_IsInvalidAction_AndChangesNothing(object? action)
    {
        long handle = Make("a");
        long twin = Make("a");
        var start = Ok(Call("a", "reset", ("handle", handle), ("seed", 7)))["obs"];
        Ok(Call("a", "reset", ("handle", twin), ("seed", 7)));

        Error(Call("a", "step", ("handle", handle), ("action", action)), ErrorCodes.InvalidAction);

        // The rejected step left the env where it was: it now steps exactly like its untouched twin.
        var afterRejection = Ok(Call("a", "step", ("handle", handle), ("action", 1)));
        var twinStep = Ok(Call("a", "step", ("handle", twin), ("action", 1)));
        Assert.Equal(Observation(twinStep), Observation(afterRejection));
        Assert.NotEqual(Observation(twinStep), WireFormat.ReadArray(start, "obs").ToArray<float>());
    }

    [Fact]
    public void Reset_WithSeed_IsReproducible_AndNegativeSeedIsRejected()
    {
        long handle = Make("a");
        var first = Observation(Ok(Call("a", "reset", ("handle", handle), ("seed", 42))));
        var second = Observation(Ok(Call("a", "reset", ("handle", handle), ("seed", 42))));
        Assert.Equal(first, second);
        Error(Call("a", "reset", ("handle", handle), ("seed", -1)), ErrorCodes.InvalidArgument);
        Error(Call("a", "reset", ("handle", handle), ("seed", "forty-two")), ErrorCodes.InvalidArgument);
    }

    [Fact]
    public void Reset_WithBadOptions_IsInvalidArgument_AndKeepsTheEpisode()
    {
        long handle = Make("a");
        Ok(Call("a", "reset", ("handle", handle), ("seed", 3)));
        Error(Call("a", "reset", ("handle", handle), ("options", new Dictionary<string, object?> { ["state"] = new object?[] { 1.0 } })), ErrorCodes.InvalidArgument);
        Ok(Call("a", "step", ("handle", handle), ("action", 0)));
    }

    [Fact]
    public void Handles_BelongToTheirClient()
    {
        long handle = Make("a");
        Error(Call("b", "reset", ("handle", handle)), ErrorCodes.UnknownHandle);
        Error(Call("b", "close", ("handle", handle)), ErrorCodes.UnknownHandle);
        Ok(Call("a", "reset", ("handle", handle)));
    }

    [Fact]
    public void Close_RemovesTheHandle()
    {
        long handle = Make("a");
        Ok(Call("a", "close", ("handle", handle)));
        Assert.Equal(0, handler.OpenEnvCount);
        Error(Call("a", "reset", ("handle", handle)), ErrorCodes.UnknownHandle);
    }

    [Fact]
    public void Render_WithoutRenderMode_IsNotRendering_AndWithItGivesAFrame()
    {
        long plain = Make("a");
        Ok(Call("a", "reset", ("handle", plain)));
        Error(Call("a", "render", ("handle", plain)), ErrorCodes.NotRendering);

        long drawn = Make("a", renderMode: "rgb_array");
        Ok(Call("a", "reset", ("handle", drawn)));
        var frame = WireFormat.ReadArray(Ok(Call("a", "render", ("handle", drawn)))["frame"], "frame");
        Assert.Equal([400, 600, 3], frame.Shape);
        Assert.Equal(DType.UInt8, frame.DType);
    }

    [Fact]
    public void IdleClients_HaveTheirEnvsClosed_ActiveOnesKeepThem()
    {
        Make("quiet");
        long busy = Make("busy");
        clock.Advance(TimeSpan.FromSeconds(6));
        Ok(Call("busy", "ping"));
        clock.Advance(TimeSpan.FromSeconds(6));
        handler.CloseIdleClients();

        Assert.Equal(1, handler.OpenEnvCount);
        Ok(Call("busy", "reset", ("handle", busy)));
        Assert.Contains("event=env_closed client=quiet", log.ToString());
        Assert.Contains("reason=idle", log.ToString());
    }

    [Fact]
    public void EnvFailure_ClosesOnlyThatEnv()
    {
        long failing = Make("a", envId: FailingEnv.Spec.Id);
        long healthy = Make("a");
        Ok(Call("a", "reset", ("handle", failing)));
        Ok(Call("a", "reset", ("handle", healthy)));

        Assert.Contains("physics exploded", Error(Call("a", "step", ("handle", failing), ("action", 0)), ErrorCodes.EnvFailure));
        Error(Call("a", "reset", ("handle", failing)), ErrorCodes.UnknownHandle);
        Ok(Call("a", "step", ("handle", healthy), ("action", 0)));
    }

    [Fact]
    public void VectorEnv_StepsAllCopies_WithBatchedArrays()
    {
        long handle = Make("a", numEnvs: 4);
        var reset = Ok(Call("a", "reset", ("handle", handle), ("seed", 10)));
        Assert.Equal([4, 4], WireFormat.ReadArray(reset["obs"], "obs").Shape);
        var step = Ok(Call("a", "step", ("handle", handle), ("action", NDArray.From(new long[] { 0, 1, 0, 1 }))));
        Assert.Equal([4, 4], WireFormat.ReadArray(step["obs"], "obs").Shape);
        Assert.Equal([1.0, 1.0, 1.0, 1.0], WireFormat.ReadArray(step["reward"], "reward").ToArray<double>());
        Assert.Equal(DType.Bool, WireFormat.ReadArray(step["terminated"], "terminated").DType);
        Assert.Contains("sub-env 2", Error(Call("a", "step", ("handle", handle), ("action", NDArray.From(new long[] { 0, 1, 5, 1 }))), ErrorCodes.InvalidAction));
    }

    [Fact]
    public void VectorEnv_SeedsSubEnvsWithSeedPlusIndex()
    {
        long vector = Make("a", numEnvs: 3);
        var batched = WireFormat.ReadArray(Ok(Call("a", "reset", ("handle", vector), ("seed", 5)))["obs"], "obs").ToArray<float>();
        long single = Make("a");
        for (int i = 0; i < 3; i++)
        {
            var alone = Observation(Ok(Call("a", "reset", ("handle", single), ("seed", 5 + i))));
            Assert.Equal(alone, batched[(i * 4)..((i + 1) * 4)]);
        }
    }

    [Fact]
    public void UnknownOp_ListsTheOps() =>
        Assert.Contains("step", Error(Call("a", "jump"), ErrorCodes.UnknownOp));

    public static TheoryData<byte[], string> MalformedPayloads() => new()
    {
        { [], "empty payload" },
        { [0xc1], "never-used byte" },
        { WireValue.Serialize(new object?[] { "step" }), "an array, not a map" },
        { WireValue.Serialize(new Dictionary<string, object?> { ["op"] = "ping" }), "no id" },
        { WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 1L }), "no op" },
        { WireValue.Serialize(new Dictionary<string, object?> { ["id"] = "one", ["op"] = "ping" }), "string id" },
        { WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 1L, ["op"] = 7L }), "integer op" },
        { WireValue.Serialize(new Dictionary<string, object?> { ["id"] = 1L, ["op"] = "reset", ["handle"] = "1" }), "string handle" },
        { WireValue.Serialize(new Dictionary<object, object?> { [1L] = 1L }), "integer key" },
        { [0x82, 0xa2, (byte)'i', (byte)'d', 0x01, 0xa2, (byte)'o', (byte)'p', 0xa4, (byte)'p', (byte)'i', (byte)'n', (byte)'g', 0xc0], "trailing bytes" },
        { [0xdf, 0xff, 0xff, 0xff, 0xff], "map header claiming 4 billion entries" },
        { [0xdb, 0x7f, 0xff, 0xff, 0xff, (byte)'x'], "str header claiming 2 GB" },
        { [0x82, 0xa2, (byte)'i', (byte)'d', 0x01, 0xa2, (byte)'o', (byte)'p', 0xa4, (byte)'p', 0xff, (byte)'n', (byte)'g'], "op that is not UTF-8" },
        { [0x83, 0xa2, (byte)'i', (byte)'d', 0x01, 0xa2, (byte)'o', (byte)'p', 0xa4, (byte)'m', (byte)'a', (byte)'k', (byte)'e', 0xa3, (byte)'e', (byte)'n', (byte)'v', 0xa2, 0xc3, 0x28], "env id that is not UTF-8" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void MalformedRequests_GetMalformedErrors_AndTheServerKeepsServing(byte[] payload, string why)
    {
        long handle = Make("a");
        var reply = Decode(handler.Handle("a", payload));
        Assert.True(reply.ContainsKey("error"), why);
        Assert.Equal(ErrorCodes.Malformed, ((Dictionary<object, object?>)reply["error"]!)["code"]);
        Ok(Call("a", "reset", ("handle", handle)));
    }

    [Fact]
    public void EveryTruncationOfAStepRequest_IsAnError_NeverACrash()
    {
        long handle = Make("a");
        Ok(Call("a", "reset", ("handle", handle)));
        var request = Request("step", ("handle", handle), ("action", 1L));
        for (int length = 0; length < request.Length; length++)
        {
            var reply = Decode(handler.Handle("a", request.AsMemory(0, length)));
            Assert.True(reply.ContainsKey("error"), $"prefix of {length} bytes");
        }

        Ok(Decode(handler.Handle("a", request)));
    }

    [Fact]
    public void OversizedRequest_IsTooLarge_AndCarriesItsId()
    {
        var payload = Request("ping", ("padding", new byte[(1 << 20) + 1]));
        var reply = Decode(handler.Handle("a", payload));
        Assert.Equal(ErrorCodes.TooLarge, ((Dictionary<object, object?>)reply["error"]!)["code"]);
        Assert.Equal((long)nextId, reply["id"]);
    }

    [Fact]
    public void RequestErrors_AreLoggedWithClientOpAndCode()
    {
        Call("client7", "step", ("handle", 99L), ("action", 0));
        var line = log.ToString().Split('\n').Single(l => l.Contains("event=request_error"));
        Assert.Contains("client=client7", line);
        Assert.Contains("op=step", line);
        Assert.Contains("code=unknown_handle", line);
    }

    private long Make(string client, string envId = "CartPole-v1", long? numEnvs = null, string? renderMode = null, Dictionary<string, object?>? kwargs = null)
    {
        var fields = new List<(string, object?)> { ("env", envId) };
        if (numEnvs is long n) fields.Add(("num_envs", n));
        if (renderMode is not null) fields.Add(("render_mode", renderMode));
        if (kwargs is not null) fields.Add(("kwargs", kwargs));
        return (long)Ok(Call(client, "make", [.. fields]))["handle"]!;
    }

    private Dictionary<object, object?> Call(string client, string op, params (string Key, object? Value)[] fields) =>
        Decode(handler.Handle(client, Request(op, fields)));

    /// <summary>A request to <paramref name="server"/>; null when its reply is held behind a recv (SPEC.md §3.4).</summary>
    private Dictionary<object, object?>? CallOn(RequestHandler server, string client, string op, params (string Key, object? Value)[] fields)
    {
        var reply = server.Handle(client, Request(op, fields));
        return reply.IsEmpty ? null : Decode(reply);
    }

    private byte[] Request(string op, params (string Key, object? Value)[] fields)
    {
        var request = new Dictionary<string, object?> { ["id"] = ++nextId, ["op"] = op };
        foreach (var (key, value) in fields) request[key] = value;
        return WireValue.Serialize(request);
    }

    private static Dictionary<object, object?> Decode(ReadOnlyMemory<byte> reply) =>
        (Dictionary<object, object?>)WireValue.Deserialize(reply)!;

    private static Dictionary<object, object?> Ok(Dictionary<object, object?> reply)
    {
        Assert.False(reply.ContainsKey("error"), reply.TryGetValue("error", out var error) ? $"unexpected error {((Dictionary<object, object?>)error!)["message"]}" : "");
        return reply;
    }

    private static string Error(Dictionary<object, object?> reply, string code)
    {
        Assert.True(reply.ContainsKey("error"), "expected an error reply");
        var error = (Dictionary<object, object?>)reply["error"]!;
        Assert.Equal(code, error["code"]);
        return (string)error["message"]!;
    }

    private static float[] Observation(Dictionary<object, object?> reply) => WireFormat.ReadArray(reply["obs"], "obs").ToArray<float>();

    /// <summary>A clock the test moves by hand, for the idle timeout.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    /// <summary>An env whose physics fail on the first step, as a diverging simulation would.</summary>
    private sealed class FailingEnv : Env
    {
        public static readonly EnvSpec Spec = new(
            "Failing-v0", (_, _) => new FailingEnv(), new Dictionary<string, object?>(), null, null, [], 30, "fails on step");

        public override Space ObservationSpace { get; } = new Discrete(1);

        public override Space ActionSpace { get; } = new Discrete(1);

        public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null) => new(0L, Info.Empty);

        public override StepResult Step(object action) => throw new InvalidOperationException("physics exploded");
    }
}
