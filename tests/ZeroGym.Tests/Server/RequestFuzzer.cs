using ZeroGym.Protocol.Wire;
using ZeroGym.Tests.Wire;

namespace ZeroGym.Tests.Server;

/// <summary>
/// A seeded generator of hostile requests: well-formed requests with wrong or random fields, actions outside the
/// space (NaN, out of range, wrong dtype), truncated and mutated encodings, deep nesting, huge declared lengths,
/// unknown ops, random bytes and oversized payloads. Handles it names are those of <see cref="Handles"/> (envs the
/// fuzzing client made) or random ones.
/// </summary>
internal sealed class RequestFuzzer(int seed, int maxMessageBytes)
{
    private static readonly string[] Ops = ["hello", "ping", "list", "make", "reset", "step", "render", "close", "stats", "", "STEP", "step\0"];
    private static readonly string[] EnvIds = ["CartPole-v1", "cartpole-v1", "", "CartPole-v0", "../../etc/passwd"];
    private static readonly string[] DTypes = ["float32", "float64", "int64", "uint8", "bool", "int8", "complex128", "float16", "", "<f4"];

    private readonly Random random = new(seed);
    private ulong nextId = 1;

    /// <summary>Handles the fuzzing client holds; requests name them most of the time.</summary>
    public List<long> Handles { get; } = [];

    public byte[] Next() => random.Next(20) switch
    {
        < 7 => Serialize(WellFormed()),
        7 or 8 => Serialize(StepWithHostileAction()),
        9 => Truncated(Serialize(WellFormed())),
        10 or 11 => Mutated(Serialize(WellFormed())),
        12 => DeeplyNested(),
        13 => HugeDeclaredLength(),
        14 => WireValue.Serialize(RandomValues.Tree(random, depth: 4, maxLength: 300)),
        15 => RandomBytes(),
        16 => Serialize(WithWrongTypes(WellFormed())),
        17 => Serialize(HostileMake()),
        18 => Serialize(ArrayWithLyingShape()),
        _ => Oversized(),
    };

    private Dictionary<object, object?> Request(string op) => new() { ["id"] = nextId++, ["op"] = op };

    private object Handle() => random.Next(10) switch
    {
        < 7 when Handles.Count > 0 => Handles[random.Next(Handles.Count)],
        7 => random.NextInt64(long.MinValue, long.MaxValue),
        8 => -1L,
        _ => (long)random.Next(0, 200),
    };

    private Dictionary<object, object?> WellFormed()
    {
        string op = Ops[random.Next(Ops.Length)];
        var request = Request(op);
        switch (op)
        {
            case "hello":
                request["protocol"] = random.Next(3) == 0 ? random.NextInt64(-5, 5) : 1L;
                request["client"] = "fuzzer";
                break;
            case "make":
                request["env"] = EnvIds[random.Next(EnvIds.Length)];
                if (random.Next(3) == 0) request["num_envs"] = (long)random.Next(-3, 2000);
                if (random.Next(3) == 0) request["render_mode"] = random.Next(2) == 0 ? "rgb_array" : "human";
                if (random.Next(3) == 0) request["kwargs"] = new Dictionary<object, object?> { ["sutton_barto_reward"] = RandomValues.Tree(random, 1, 20), ["max_episode_steps"] = (long)random.Next(-2, 5) };
                break;
            case "reset":
                request["handle"] = Handle();
                if (random.Next(2) == 0) request["seed"] = random.Next(4) == 0 ? RandomValues.Tree(random, 1, 20) : random.NextInt64(-5, long.MaxValue);
                if (random.Next(3) == 0) request["options"] = new Dictionary<object, object?> { ["low"] = RandomValues.Tree(random, 1, 20), ["state"] = RandomValues.Tree(random, 2, 20) };
                break;
            case "step":
                request["handle"] = Handle();
                request["action"] = random.Next(2) == 0 ? (long)random.Next(2) : RandomValues.Tree(random, 2, 40);
                break;
            case "render" or "close":
                request["handle"] = Handle();
                break;
        }

        return request;
    }

    private Dictionary<object, object?> StepWithHostileAction()
    {
        var request = Request("step");
        request["handle"] = Handle();
        request["action"] = random.Next(9) switch
        {
            0 => double.NaN,
            1 => double.PositiveInfinity,
            2 => 1.5,
            3 => -1L,
            4 => 2L,
            5 => long.MaxValue,
            6 => ulong.MaxValue,
            7 => "1",
            _ => NDArrayTree(random.Next(2) == 0 ? "float32" : "int64", [random.Next(0, 4)], random.Next(0, 40)),
        };
        return request;
    }

    private Dictionary<object, object?> HostileMake()
    {
        var request = Request("make");
        request["env"] = "CartPole-v1";
        request["num_envs"] = random.Next(4) switch { 0 => 0L, 1 => long.MaxValue, 2 => (long)random.Next(1, 5), _ => -1L };
        request["kwargs"] = random.Next(2) == 0 ? RandomValues.Tree(random, 3, 50) : new Dictionary<object, object?> { ["no_such_kwarg"] = 1L };
        return request;
    }

    private Dictionary<object, object?> ArrayWithLyingShape()
    {
        var request = Request("step");
        request["handle"] = Handle();
        long[] shape = random.Next(3) switch
        {
            0 => [1L << 40, 1L << 40],
            1 => [-1L],
            _ => [random.Next(0, 10)],
        };
        request["action"] = new Dictionary<object, object?>
        {
            ["dtype"] = DTypes[random.Next(DTypes.Length)],
            ["shape"] = shape.Cast<object?>().ToArray(),
            ["data"] = RandomByteArray(random.Next(0, 64)),
        };
        return request;
    }

    private Dictionary<object, object?> WithWrongTypes(Dictionary<object, object?> request)
    {
        foreach (object key in request.Keys.ToList())
        {
            if (random.Next(3) == 0) request[key] = RandomValues.Tree(random, 2, 40);
        }

        if (random.Next(4) == 0) request.Remove(random.Next(2) == 0 ? "id" : "op");
        return request;
    }

    private static Dictionary<object, object?> NDArrayTree(string dtype, long[] shape, int dataBytes) => new()
    {
        ["dtype"] = dtype,
        ["shape"] = shape.Cast<object?>().ToArray(),
        ["data"] = new byte[dataBytes],
    };

    private byte[] Truncated(byte[] encoding) => encoding.Length <= 1 ? [] : encoding[..random.Next(1, encoding.Length)];

    private byte[] Mutated(byte[] encoding)
    {
        for (int flips = random.Next(1, 4); flips > 0 && encoding.Length > 0; flips--)
        {
            encoding[random.Next(encoding.Length)] = (byte)random.Next(256);
        }

        return encoding;
    }

    private byte[] DeeplyNested()
    {
        // {"id": n, "op": "step", "handle": h, "action": [[[[...]]]]}: the nesting sits where the server must look.
        // Deep enough to pass any sane limit, small enough to stay under maxMessageBytes and be parsed.
        int depth = random.Next(2) == 0 ? random.Next(60, 70) : random.Next(1000, maxMessageBytes / 2 - 64);
        var prefix = Serialize(new Dictionary<object, object?> { ["id"] = nextId++, ["op"] = "step", ["handle"] = Handle() });
        prefix[0]++; // one more map entry: the action
        byte container = random.Next(2) == 0 ? (byte)0x91 : (byte)0x81; // [x] or {x: ...}
        var nested = new List<byte>(prefix) { 0xa6 };
        nested.AddRange("action"u8.ToArray());
        for (int i = 0; i < depth; i++)
        {
            nested.Add(container);
            if (container == 0x81) nested.Add(0x00); // key 0
        }

        nested.Add(0xc0);
        return nested.ToArray();
    }

    private byte[] HugeDeclaredLength()
    {
        byte[][] headers =
        [
            [0xdf, 0xff, 0xff, 0xff, 0xff], // map32 of 4 billion entries
            [0xdd, 0xff, 0xff, 0xff, 0xff], // array32
            [0xdb, 0xff, 0xff, 0xff, 0xff], // str32
            [0xc6, 0xff, 0xff, 0xff, 0xff], // bin32
            [0xc9, 0x7f, 0xff, 0xff, 0xff, 0x05], // ext32
        ];
        var request = Serialize(Request("step"));
        var header = headers[random.Next(headers.Length)];
        // Either the whole message or the value of a field declares the huge length.
        return random.Next(2) == 0 ? [.. header, .. RandomByteArray(random.Next(0, 16))] : [(byte)(request[0] + 1), .. request[1..], 0xa6, .. "action"u8, .. header, 0x01];
    }

    private byte[] RandomBytes() => RandomByteArray(random.Next(0, 200));

    private byte[] Oversized()
    {
        // Above the limit but below the transport's 4x cut-off: a too_large reply, not a dropped connection.
        var request = Request("step");
        request["handle"] = Handle();
        request["action"] = NDArrayTree("uint8", [maxMessageBytes + 100], maxMessageBytes + 100);
        return Serialize(request);
    }

    private byte[] RandomByteArray(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Serialize(Dictionary<object, object?> request) => WireValue.Serialize(request);
}
