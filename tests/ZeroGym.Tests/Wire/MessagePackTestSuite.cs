using System.Text.Json;

namespace ZeroGym.Tests.Wire;

/// <summary>
/// The cases of the npm package msgpack-test-suite 1.0.0: values with every encoding the spec allows for them.
/// The package is fetched with npm into .cache/msgpack-test-suite/ (ignored by git) the first time it is needed.
/// </summary>
internal static class MessagePackTestSuite
{
    private const string Package = "msgpack-test-suite@1.0.0";
    private const string Tarball = "msgpack-test-suite-1.0.0.tgz";

    private static readonly Lazy<IReadOnlyDictionary<(string File, int Index), JsonElement>> AllCases = new(Load);

    /// <summary>Every case, keyed by its source file (e.g. "20.number-positive.yaml") and position there.</summary>
    public static IReadOnlyDictionary<(string File, int Index), JsonElement> Cases => AllCases.Value;

    /// <summary>The hex encodings (e.g. "cc-80") a case lists; the first is the smallest.</summary>
    public static string[] Encodings(JsonElement testCase) =>
        testCase.GetProperty("msgpack").EnumerateArray().Select(encoding => encoding.GetString()!).ToArray();

    private static Dictionary<(string, int), JsonElement> Load()
    {
        string folder = Path.Combine(RepositoryRoot.Path, ".cache", "msgpack-test-suite");
        string json = Path.Combine(folder, "package", "dist", "msgpack-test-suite.json");
        if (!File.Exists(json))
        {
            Directory.CreateDirectory(folder);
            ExternalProcess.Run("npm", ["pack", Package], folder);
            ExternalProcess.Run("tar", ["xzf", Tarball], folder);
            if (!File.Exists(json))
            {
                throw new InvalidOperationException($"expected {json} after unpacking {Package}, found no such file");
            }
        }

        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(json));
        var cases = new Dictionary<(string, int), JsonElement>();
        foreach (JsonProperty file in document.RootElement.EnumerateObject())
        {
            int index = 0;
            foreach (JsonElement testCase in file.Value.EnumerateArray()) cases.Add((file.Name, index++), testCase.Clone());
        }

        return cases;
    }
}
