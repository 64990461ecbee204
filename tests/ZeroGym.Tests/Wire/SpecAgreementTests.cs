using System.Text.RegularExpressions;
using ZeroGym.Arrays;
using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;
using ZeroGym.Spaces;

namespace ZeroGym.Tests.Wire;

/// <summary>
/// protocol/SPEC.md and the message declarations agree: every op and every key §3 documents is declared, nothing
/// is declared that it does not document, and every declaration round-trips (encode → decode → encode, same bytes).
/// </summary>
public sealed partial class SpecAgreementTests
{
    private static readonly string[] Spec = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "protocol", "SPEC.md"));

    public static TheoryData<string> DocumentedOps() => new(MessageTable().Keys);

    [Fact]
    public void TheOpsOfTheTable_AreTheDeclaredOps() =>
        Assert.Equal(MessageTable().Keys.Order(), MessageCatalog.Operations.Select(operation => operation.Op).Order());

    [Theory]
    [MemberData(nameof(DocumentedOps))]
    public void RequestKeys_AreTheDocumentedOnes_PlusIdAndOp(string op)
    {
        var (requestKeys, _) = MessageTable()[op];

        Assert.Equal(requestKeys.Keys.Append("id").Append("op").Order(), Declared(op).Request.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(DocumentedOps))]
    public void ReplyKeys_AreTheDocumentedOnes_PlusId(string op)
    {
        var (_, replyKeys) = MessageTable()[op];
        var replies = Declared(op).Replies;

        Assert.Equal(replyKeys.Keys.Append("id").Order(), replies.SelectMany(reply => reply.Keys).Distinct().Order());
        foreach (var (key, nested) in replyKeys.Where(pair => pair.Value.Count > 0))
        {
            var declared = replies.Select(reply => reply.NestedShapes.GetValueOrDefault(key)).Single(shape => shape is not null)!;
            Assert.Equal(nested.Order(), declared.Keys.Order());
        }
    }

    [Fact]
    public void EnvSpecKeys_AreTheDocumentedOnes()
    {
        int start = Array.FindIndex(Spec, text => text.StartsWith("An **env spec**", StringComparison.Ordinal));
        string line = string.Join(" ", Spec.Skip(start).TakeWhile(text => text.Length > 0));
        var documented = KeysOf(line[(line.IndexOf("is a map:", StringComparison.Ordinal) + "is a map:".Length)..]).Keys;

        Assert.Equal(documented.Order(), EnvSpecMessage.Shape.Keys.Order());
        Assert.Same(EnvSpecMessage.Shape, MakeReply.Shape.NestedShapes["spec"]);
        Assert.Same(EnvSpecMessage.Shape, ListReply.Shape.NestedShapes["envs"]);
    }

    [Fact]
    public void TheTitle_NamesTheRevisionTheCodeImplements_AndTheHistoryHasIt()
    {
        Assert.Equal($"# ZeroGym wire protocol, version {ProtocolConstants.Revision}", Spec[0]);
        Assert.Contains(Spec, line => line.StartsWith($"- {ProtocolConstants.Revision}: ", StringComparison.Ordinal));
    }

    [Fact]
    public void ErrorReplyKeys_AreTheDocumentedOnes()
    {
        var match = Spec.Select(text => ErrorReplyLine().Match(text)).Single(found => found.Success);

        Assert.Equal([match.Groups["id"].Value, match.Groups["error"].Value], MessageCatalog.Error.Keys);
        Assert.Equal([match.Groups["code"].Value, match.Groups["message"].Value], MessageCatalog.Error.NestedShapes["error"].Keys);
    }

    [Fact]
    public void EveryDeclaration_RoundTrips_AndEveryOneHasASample()
    {
        var checkedShapes = RoundTrips().ToList();

        var declared = MessageCatalog.Operations.SelectMany(operation => operation.Replies.Prepend(operation.Request)).Append(MessageCatalog.Error);
        Assert.Empty(declared.Except(checkedShapes));
    }

    /// <summary>Each declaration with a sample that fills every key; yields the shapes it checked.</summary>
    private static IEnumerable<IMessageShape> RoundTrips()
    {
        var box = new Box(NDArray.From(new float[] { -1, -2 }), NDArray.From(new float[] { 1, 2 }));
        var info = new Dictionary<string, object?> { ["lives"] = 3L, ["flag"] = NDArray.From(new[] { true, false }) };
        var spec = new EnvSpecMessage
        {
            Id = "CartPole-v1", MaxEpisodeSteps = 500, RewardThreshold = 475.0, Nondeterministic = false,
            Kwargs = new Dictionary<string, object?> { ["sutton_barto_reward"] = false }, RenderModes = ["rgb_array"], Description = "a pole",
        };
        var frame = NDArray.Zeros(DType.UInt8, 2, 3, 3);

        yield return RoundTrip(new HelloRequest { Id = 1, Protocol = 1, Client = "tests" });
        yield return RoundTrip(new HelloReply { Id = 1, Protocol = 1, Version = "1.2.3", Capabilities = ["vector", "local_stream"], MaxMessageBytes = 1 << 20, IdleTimeout = 300, LocalStream = "/tmp/zerogym-stream-x/stream.sock" });
        yield return RoundTrip(new PingRequest { Id = 2 });
        yield return RoundTrip(new PingReply { Id = 2, Time = 1.7e9 });
        yield return RoundTrip(new ListRequest { Id = 3 });
        yield return RoundTrip(new ListReply { Id = 3, Envs = [spec] });
        yield return RoundTrip(new MakeRequest { Id = 4, Env = "CartPole-v1", Kwargs = new Dictionary<string, object?> { ["max_episode_steps"] = 10L }, NumEnvs = 2, BatchSize = 1, AutoresetMode = "same_step", RenderMode = "rgb_array" });
        yield return RoundTrip(new MakeReply
        {
            Id = 4, Handle = 7, Env = "CartPole-v1", NumEnvs = 2, BatchSize = 1, AutoresetMode = "same_step", ObservationSpace = box, ActionSpace = new Discrete(2), Spec = spec with { Description = null },
            RenderMode = "rgb_array", Metadata = new RenderMetadata { RenderModes = ["rgb_array"], RenderFps = 50 },
        });
        yield return RoundTrip(new ResetRequest { Id = 5, Handle = 7, Seed = new object?[] { 1L, null }, Options = new Dictionary<string, object?> { ["low"] = -0.1 } });
        yield return RoundTrip(new ResetReply { Id = 5, Obs = NDArray.From(new float[] { 1, 2, 3, 4 }), Info = info });
        yield return RoundTrip(new StepRequest { Id = 6, Handle = 7, Action = NDArray.From(new long[] { 0, 1 }) });
        yield return RoundTrip(new StepReply { Id = 6, Obs = NDArray.From(new float[] { 1, 2 }), Reward = 1, Terminated = true, Truncated = false, Info = info });
        yield return RoundTrip(new VectorStepReply
        {
            Id = 6, Obs = NDArray.From(new float[] { 1, 2 }, 2, 1), Reward = NDArray.From(new[] { 1.0, 0.0 }),
            Terminated = NDArray.From(new[] { false, true }), Truncated = NDArray.From(new[] { false, false }), Info = info,
        });
        yield return RoundTrip(new RenderRequest { Id = 8, Handle = 7 });
        yield return RoundTrip(new RenderReply { Id = 8, Frame = frame });
        yield return RoundTrip(new VectorRenderReply { Id = 8, Frames = [frame, frame] });
        yield return RoundTrip(new CloseRequest { Id = 9, Handle = 7 });
        yield return RoundTrip(new CloseReply { Id = 9 });
        yield return RoundTrip(new AsyncResetRequest { Id = 10, Handle = 7, Seed = 42L, Options = new Dictionary<string, object?> { ["low"] = -0.1 }, Recv = true, MinBatch = 1 });
        yield return RoundTrip(new SendRequest { Id = 11, Handle = 7, EnvId = NDArray.From(new long[] { 1, 0 }), Action = NDArray.From(new long[] { 0, 1 }), Recv = true, MinBatch = 2 });
        yield return RoundTrip(new RecvRequest { Id = 12, Handle = 7, MinBatch = 1 });
        yield return RoundTrip(new AcceptedReply { Id = 11 });
        yield return RoundTrip(new BatchReply
        {
            Id = 12, EnvId = NDArray.From(new long[] { 1 }), Obs = NDArray.From(new float[] { 1, 2 }, 1, 2), Reward = NDArray.From(new[] { 1.0 }),
            Terminated = NDArray.From(new[] { false }), Truncated = NDArray.From(new[] { true }), Info = info,
            Errors = [new SubEnvError { EnvId = 0, Code = ErrorCodes.InvalidAction, Message = "action 5 is not in Discrete(2)" }],
        });
        yield return RoundTrip(new NodesRequest { Id = 13 });
        yield return RoundTrip(new NodesReply
        {
            Id = 13, Nodes = [new NodeMessage { Name = "node-1", Endpoint = "tcp://10.0.0.1:5555", Status = "active", Envs = 64, StepsPerS = 12345.5, Cores = 8 }],
        });
        yield return RoundTrip(new PlaceRequest { Id = 14, Env = "CartPole-v1", NumEnvs = 3, Placement = "spread", Exclude = ["node-2", "tcp://10.0.0.3:5555"] });
        yield return RoundTrip(new PlaceReply { Id = 14, Endpoints = ["tcp://10.0.0.1:5555", "tcp://10.0.0.1:5555", "tcp://10.0.0.2:5555"] });
        yield return RoundTrip(new ErrorReply { Id = null, Error = new ErrorBody { Code = ErrorCodes.Malformed, Message = "not a map" } });
    }

    private static IMessageShape RoundTrip<T>(T sample) where T : class, IMessage<T>, new()
    {
        byte[] encoded = T.Shape.Serialize(sample);
        var decoded = T.Shape.Read(encoded);
        byte[] again = T.Shape.Serialize(decoded);

        Hex.AssertEqualBytes(encoded, again);
        var keys = ((Dictionary<object, object?>)WireValue.Deserialize(encoded)!).Keys;
        Assert.Equal(T.Shape.Keys, keys.Cast<string>());
        return T.Shape;
    }

    private static Operation Declared(string op) => MessageCatalog.Operations.Single(operation => operation.Op == op);

    /// <summary>§3's table: per op, the request keys and the reply keys it names (each with the keys of a nested map, if it lists them).</summary>
    private static Dictionary<string, (Dictionary<string, List<string>> Request, Dictionary<string, List<string>> Reply)> MessageTable()
    {
        int header = Array.FindIndex(Spec, line => line.StartsWith("| `op` | request keys | reply keys |", StringComparison.Ordinal));
        Assert.True(header >= 0, "expected SPEC.md §3 to have the table '| `op` | request keys | reply keys |'");
        var table = new Dictionary<string, (Dictionary<string, List<string>>, Dictionary<string, List<string>>)>();
        foreach (string row in Spec.Skip(header + 2).TakeWhile(line => line.StartsWith('|')))
        {
            string[] cells = row.Split('|').Select(cell => cell.Trim()).ToArray();
            table.Add(cells[1].Trim('`'), (KeysOf(cells[2]), KeysOf(cells[3])));
        }

        return table;
    }

    /// <summary>
    /// The `keys` a cell names outside parentheses ("–" names none); for a key followed by "(map: `a`, `b`)", the keys
    /// of that map too.
    /// </summary>
    private static Dictionary<string, List<string>> KeysOf(string text)
    {
        var keys = new Dictionary<string, List<string>>();
        string? lastKey = null;
        int depth = 0;
        int groupStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    if (depth++ == 0) groupStart = i + 1;
                    break;
                case ')':
                    if (--depth == 0 && lastKey is not null && text[groupStart..i].StartsWith("map:", StringComparison.Ordinal))
                    {
                        keys[lastKey].AddRange(Backticked().Matches(text[groupStart..i]).Select(match => match.Groups[1].Value));
                    }

                    break;
                case '`' when depth == 0:
                    int end = text.IndexOf('`', i + 1);
                    lastKey = text[(i + 1)..end];
                    keys[lastKey] = [];
                    i = end;
                    break;
            }
        }

        return keys;
    }

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"An error reply is `\{(?<id>\w+), (?<error>\w+): \{(?<code>\w+), (?<message>\w+)\}\}`")]
    private static partial Regex ErrorReplyLine();
}
