using System.Text;
using System.Text.Json;

namespace ZeroGym.Tests.Wire;

/// <summary>A value msgpack-python packed: what it is (as a generic tree) and the bytes it became.</summary>
internal sealed record PythonVector(string Name, object? Value, byte[] Bytes);

/// <summary>
/// Drives tests/interop/msgpack_vectors.py with Debian's /usr/bin/python3 (the interpreter that has the msgpack
/// module). A missing interpreter or module fails the tests that need it, with a message saying what to install.
/// </summary>
internal static class PythonMsgpack
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<IReadOnlyDictionary<string, PythonVector>> PackedVectors = new(LoadVectors);

    /// <summary>The script's fixed set of values as msgpack.packb encodes them, by name.</summary>
    public static IReadOnlyDictionary<string, PythonVector> Vectors => PackedVectors.Value;

    /// <summary>Unpacks each encoding with msgpack.unpackb and returns what Python got, as generic trees.</summary>
    /// <returns>By name; a value Python could not unpack throws when it is read out of the tree.</returns>
    public static IReadOnlyDictionary<string, JsonElement> Unpack(IEnumerable<(string Name, byte[] Bytes)> encodings)
    {
        var input = new StringBuilder();
        foreach (var (name, bytes) in encodings) input.Append(name).Append('\t').Append(Convert.ToHexString(bytes)).Append('\n');

        var trees = new Dictionary<string, JsonElement>();
        foreach (string[] fields in RunScript("unpack", input.ToString()))
        {
            trees.Add(fields[0], JsonDocument.Parse(fields[1]).RootElement);
        }

        return trees;
    }

    private static Dictionary<string, PythonVector> LoadVectors()
    {
        var vectors = new Dictionary<string, PythonVector>();
        foreach (string[] fields in RunScript("pack", input: null))
        {
            using JsonDocument tree = JsonDocument.Parse(fields[1]);
            vectors.Add(fields[0], new PythonVector(fields[0], TaggedTree.ToValue(tree.RootElement), Hex.Parse(fields[2])));
        }

        return vectors;
    }

    private static IEnumerable<string[]> RunScript(string mode, string? input)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException(
                $"expected {Python} (Debian's python3 with the msgpack module: apt-get install python3-msgpack), found no such file");
        }

        string script = Path.Combine(RepositoryRoot.Path, "tests", "interop", "msgpack_vectors.py");
        string output = ExternalProcess.Run(Python, [script, mode], RepositoryRoot.Path, input);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'));
    }
}
