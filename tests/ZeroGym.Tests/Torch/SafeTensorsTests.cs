using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ZeroGym.Tests.Wire;
using ZeroGym.Torch;

namespace ZeroGym.Tests.Torch;

// Inside ZeroGym.* the name Torch means the namespace; this alias makes it mean the class again.

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("zerogym-safetensors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void SaveThenLoad_RoundTripsEveryDtypeShapeAndTheMetadata()
    {
        string path = Path.Combine(directory, "all.safetensors");
        using Tensor f32 = Tensor.From([1.5f, float.NegativeInfinity, -0f, 3f, 4f, 5f], [2, 3]);
        using Tensor f64 = Tensor.From([Math.PI], []);
        using Tensor i64 = Tensor.From([long.MinValue, long.MaxValue], [2, 1]);
        using Tensor i32 = Tensor.From([-7, 8], [2]);
        using Tensor u8 = Tensor.From(new byte[] { 0, 7, 255 }, [1, 3]);
        using Tensor flags = Tensor.From([true, false], [2]);
        using Tensor empty = Tensor.Zeros([0, 4]);
        var metadata = new Dictionary<string, string> { ["step"] = "123", ["note"] = "ünïcode + <tags>" };

        SafeTensors.Save(path, [("f32", f32), ("f64", f64), ("i64", i64), ("i32", i32), ("u8", u8), ("bool", flags),
            ("empty", empty)], metadata);
        var (loaded, loadedMetadata) = SafeTensors.Load(path);

        Assert.Equal(metadata, loadedMetadata);
        Assert.Equal(["f32", "f64", "i64", "i32", "u8", "bool", "empty"], loaded.Keys);
        AssertSame<float>(f32, loaded["f32"]);
        AssertSame<double>(f64, loaded["f64"]);
        AssertSame<long>(i64, loaded["i64"]);
        AssertSame<int>(i32, loaded["i32"]);
        AssertSame<byte>(u8, loaded["u8"]);
        AssertSame<bool>(flags, loaded["bool"]);
        AssertSame<float>(empty, loaded["empty"]);
        foreach (Tensor tensor in loaded.Values) tensor.Dispose();
    }

    [Fact]
    public void Save_WritesTheHeaderLengthJsonPaddingAndDataAsTheFormatSpecifies()
    {
        string path = Path.Combine(directory, "layout.safetensors");
        using Tensor weight = Tensor.From([1f, -2f], [1, 2]);
        using Tensor step = Tensor.From([258L], [1]);

        SafeTensors.Save(path, [("w", weight), ("step", step)], new Dictionary<string, string> { ["format"] = "pt" });

        byte[] file = File.ReadAllBytes(path);
        const string json = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
            + "\"step\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]}}";
        int padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(file, 8, padded));
        byte[] data =
        [
            0x00, 0x00, 0x80, 0x3F, // 1f
            0x00, 0x00, 0x00, 0xC0, // -2f
            0x02, 0x01, 0, 0, 0, 0, 0, 0, // 258L
        ];
        Assert.Equal(data, file[(8 + padded)..]);
    }

    [Fact]
    public void SavedFile_IsReadableByNumpyFromTheFormatAlone()
    {
        string path = Path.Combine(directory, "numpy.safetensors");
        using Tensor weight = Tensor.From([0.1f, -2.5f, 3e-8f, 4f, 5f, 6f], [2, 3]);
        using Tensor counts = Tensor.From([-1L, 1L << 40], [2]);
        using Tensor frame = Tensor.From(new byte[] { 1, 2, 254 }, [3]);
        using Tensor done = Tensor.From([false, true], [2]);
        SafeTensors.Save(path, [("0.weight", weight), ("counts", counts), ("frame", frame), ("done", done)],
            new Dictionary<string, string> { ["algo"] = "dqn" });
        const string script = """
            import json, struct, sys
            import numpy as np
            types = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}
            data = open(sys.argv[1], "rb").read()
            (length,) = struct.unpack("<Q", data[:8])
            header = json.loads(data[8:8 + length])
            body = data[8 + length:]
            out = {"__metadata__": header.pop("__metadata__")}
            for name, entry in header.items():
                begin, end = entry["data_offsets"]
                array = np.frombuffer(body[begin:end], dtype=types[entry["dtype"]]).reshape(entry["shape"])
                out[name] = {"shape": list(array.shape), "values": array.ravel().tolist()}
            print(json.dumps(out))
            """;

        string output = ExternalProcess.Run("/usr/bin/python3", ["-c", script, path], directory);

        using JsonDocument parsed = JsonDocument.Parse(output);
        JsonElement root = parsed.RootElement;
        Assert.Equal("dqn", root.GetProperty("__metadata__").GetProperty("algo").GetString());
        Assert.Equal([2, 3], Shape(root, "0.weight"));
        Assert.Equal([0.1f, -2.5f, 3e-8f, 4f, 5f, 6f], Values(root, "0.weight").Select(v => (float)v.GetDouble()));
        Assert.Equal([-1L, 1L << 40], Values(root, "counts").Select(v => v.GetInt64()));
        Assert.Equal([1, 2, 254], Values(root, "frame").Select(v => v.GetInt32()));
        Assert.Equal([false, true], Values(root, "done").Select(v => v.GetBoolean()));
    }

    [Fact]
    public void LoadInto_CopiesIntoModuleParameters()
    {
        string path = Path.Combine(directory, "module.safetensors");
        LibTorch.ManualSeed(1);
        using var saved = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        LibTorch.ManualSeed(2);
        using var restored = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));

        SafeTensors.Save(path, saved.NamedParameters());
        SafeTensors.LoadInto(path, restored.NamedParameters());

        var expected = saved.NamedParameters();
        var actual = restored.NamedParameters();
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Parameter.ToArray<float>(), actual[i].Parameter.ToArray<float>());
            Assert.True(actual[i].Parameter.RequiresGrad);
        }
    }

    [Fact]
    public void LoadInto_WithAShapeMismatch_ThrowsNamingTheTensor_AndCopiesNothing()
    {
        string path = Path.Combine(directory, "mismatch.safetensors");
        using Tensor savedBias = Tensor.Ones([3]);
        using Tensor savedWeight = Tensor.Ones([3, 4]);
        SafeTensors.Save(path, [("bias", savedBias), ("weight", savedWeight)]);
        using Tensor bias = Tensor.Zeros([3]);
        using Tensor weight = Tensor.Zeros([4, 3]);

        var error = Assert.Throws<InvalidDataException>(
            () => SafeTensors.LoadInto(path, [("bias", bias), ("weight", weight)]));

        Assert.Contains("tensor \"weight\": expected shape [4, 3], found [3, 4]", error.Message);
        Assert.Equal([0f, 0f, 0f], bias.ToArray<float>());
    }

    [Fact]
    public void LoadInto_WithAMissingTensor_ThrowsNamingIt()
    {
        string path = Path.Combine(directory, "missing.safetensors");
        using Tensor saved = Tensor.Ones([3]);
        SafeTensors.Save(path, [("a", saved)]);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.LoadInto(path, [("b", Tensor.Zeros([3]))]));

        Assert.Contains("no tensor named \"b\"", error.Message);
    }

    [Fact]
    public void Save_OverAnExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(directory, "replace.safetensors");
        File.WriteAllText(path, "old");
        using Tensor t = Tensor.Ones([2]);

        SafeTensors.Save(path, [("t", t)]);

        Assert.Equal(["replace.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName));
        Assert.Equal([1f, 1f], SafeTensors.Load(path).Tensors["t"].ToArray<float>());
    }

    [Fact]
    public void Save_WithADuplicateName_Throws()
    {
        using Tensor t = Tensor.Ones([1]);

        string path = Path.Combine(directory, "duplicate.safetensors");

        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [("t", t), ("t", t)]));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("header longer than the file", 1000, "{}", "header length")]
    [InlineData("not JSON", -1, "{nope", "not valid JSON")]
    [InlineData("unsupported dtype", -1, "{\"x\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", "found F16")]
    [InlineData("offsets disagree with the shape", -1, "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
        "expected 12 bytes")]
    [InlineData("offsets past the data", -1, "{\"x\":{\"dtype\":\"U8\",\"shape\":[9],\"data_offsets\":[0,9]}}",
        "within the 8 data bytes")]
    [InlineData("negative dimension", -1, "{\"x\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
        "non-negative integers")]
    [InlineData("missing dtype", -1, "{\"x\":{\"shape\":[1],\"data_offsets\":[0,1]}}", "\"dtype\"")]
    public void Load_OfAMalformedFile_ThrowsInvalidDataExplainingWhy(
        string what, long declaredLength, string header, string expectedMessage)
    {
        string path = Path.Combine(directory, "bad.safetensors");
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + json.Length + 8];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(declaredLength >= 0 ? declaredLength : json.Length));
        json.CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));

        Assert.True(error.Message.Contains(expectedMessage, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    private static void AssertSame<T>(Tensor expected, Tensor actual) where T : unmanaged
    {
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToArray<T>(), actual.ToArray<T>());
    }

    private static int[] Shape(JsonElement root, string name) =>
        root.GetProperty(name).GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static IEnumerable<JsonElement> Values(JsonElement root, string name) =>
        root.GetProperty(name).GetProperty("values").EnumerateArray();
}
