using System.Text.Json;
using System.Text.Json.Nodes;

namespace ZeroGym.Agents.Common;

/// <summary>
/// A run's config.json: <c>{"algo": ..., "common": {every <see cref="TrainOptions"/> field}, "algorithm": {the
/// algorithm's own options}}</c>, keys in snake_case. Written when a run starts; read back to resume and to play.
/// </summary>
public sealed class RunConfig
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private readonly JsonObject algorithm;

    private RunConfig(TrainOptions common, JsonObject algorithm)
    {
        Common = common;
        this.algorithm = algorithm;
    }

    /// <summary>The algorithm's registered name.</summary>
    public string Algo => Common.Algo;

    public TrainOptions Common { get; }

    /// <summary>A config for a new run: the shared options and the algorithm's own (any JSON-serializable record).</summary>
    public static RunConfig Create(TrainOptions common, object algorithmOptions)
    {
        var node = JsonSerializer.SerializeToNode(algorithmOptions, algorithmOptions.GetType(), Json) as JsonObject
            ?? throw new ArgumentException(
                $"algorithm options must serialize to a JSON object; {algorithmOptions.GetType().Name} does not", nameof(algorithmOptions));
        return new RunConfig(common, node);
    }

    /// <summary>
    /// <paramref name="algorithmOptions"/> with some of its values replaced: each assignment is <c>name=value</c> with the
    /// name as config.json spells it (snake_case) and the value as JSON (a bare word is a string). An unknown name or
    /// a value of the wrong type is an <see cref="AgentException"/> that lists the names.
    /// </summary>
    public static object WithAssignments(object algorithmOptions, IReadOnlyList<string> assignments)
    {
        if (assignments.Count == 0) return algorithmOptions;
        var type = algorithmOptions.GetType();
        var node = (JsonObject)JsonSerializer.SerializeToNode(algorithmOptions, type, Json)!;
        string known = string.Join(", ", node.Select(pair => pair.Key));
        foreach (string assignment in assignments)
        {
            int equals = assignment.IndexOf('=');
            string name = equals > 0 ? assignment[..equals] : "";
            if (!node.ContainsKey(name))
            {
                throw new AgentException($"--set takes NAME=VALUE with NAME one of {known}; got '{assignment}'");
            }

            node[name] = EnvKwargs.JsonValueOrWord(assignment[(equals + 1)..]);
        }

        try
        {
            return node.Deserialize(type, Json) ?? throw new JsonException("the options are null");
        }
        catch (JsonException error)
        {
            throw new AgentException($"--set {string.Join(" ", assignments)}: a value does not fit {type.Name}: {error.Message}", error);
        }
    }

    /// <summary>Reads <paramref name="runDirectory"/>/config.json; a missing or broken file is an <see cref="AgentException"/>.</summary>
    public static RunConfig Load(string runDirectory)
    {
        string path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new AgentException($"{runDirectory} holds no run: {path} does not exist (is this the --run-dir a training run was started with?)");
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("the top level is not an object");
            var common = root["common"].Deserialize<TrainOptions>(Json) ?? throw new JsonException("'common' is missing");
            var algorithm = root["algorithm"] as JsonObject ?? throw new JsonException("'algorithm' is missing or not an object");
            return new RunConfig(common, (JsonObject)algorithm.DeepClone());
        }
        catch (JsonException error)
        {
            throw new AgentException($"{path} is not a run config ({{\"algo\", \"common\", \"algorithm\"}}): {error.Message}", error);
        }
    }

    /// <summary>The algorithm's options as saved, read into <typeparamref name="T"/>.</summary>
    public T AlgorithmOptions<T>()
    {
        try
        {
            return algorithm.Deserialize<T>(Json) ?? throw new JsonException("the options are null");
        }
        catch (JsonException error)
        {
            throw new AgentException($"the algorithm options of this {Algo} run do not fit {typeof(T).Name}: {error.Message}", error);
        }
    }

    /// <summary>Writes config.json into <paramref name="runDirectory"/>, replacing it whole (temp file + rename).</summary>
    public void Save(string runDirectory)
    {
        var root = new JsonObject
        {
            ["algo"] = Algo,
            ["common"] = JsonSerializer.SerializeToNode(Common, Json),
            ["algorithm"] = algorithm.DeepClone(),
        };
        string path = Path.Combine(runDirectory, FileName);
        File.WriteAllText(path + ".tmp", root.ToJsonString(Json) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// The config a resumed run continues with: the saved one, with <paramref name="requested"/>'s server (where the
    /// envs run is not part of the experiment), total steps (which may be raised, never lowered), run directory and
    /// resume flag. Any other difference is an <see cref="AgentException"/> naming each differing option.
    /// </summary>
    public RunConfig Resume(TrainOptions requested)
    {
        var saved = Common;
        var differences = new List<string>();
        void Compare<T>(string option, T savedValue, T requestedValue)
        {
            if (!EqualityComparer<T>.Default.Equals(savedValue, requestedValue))
            {
                differences.Add($"{option} was {savedValue} when the run started and is {requestedValue} now");
            }
        }

        Compare("ALGO", saved.Algo, requested.Algo);
        Compare("--env", saved.EnvId, requested.EnvId);
        Compare("--num-envs", saved.NumEnvs, requested.NumEnvs);
        Compare("--seed", saved.Seed, requested.Seed);
        Compare("--device", saved.Device, requested.Device);
        Compare("--eval-every", saved.EvalEvery, requested.EvalEvery);
        Compare("--eval-episodes", saved.EvalEpisodes, requested.EvalEpisodes);
        if (!EnvKwargs.AreEqual(saved.EnvKwargs, requested.EnvKwargs))
        {
            differences.Add($"--env-kwarg was {EnvKwargs.Describe(saved.EnvKwargs)} when the run started and is {EnvKwargs.Describe(requested.EnvKwargs)} now");
        }
        if (requested.TotalSteps < saved.TotalSteps)
        {
            differences.Add($"--total-steps was {saved.TotalSteps} when the run started and is {requested.TotalSteps} now (it may be raised, not lowered)");
        }

        if (differences.Count > 0)
        {
            throw new AgentException(
                $"cannot resume {requested.RunDir}: {string.Join("; ", differences)}. " +
                "Leave those options out to keep the run's values, or start a new run in another --run-dir");
        }

        return new RunConfig(
            saved with { Server = requested.Server, Placement = requested.Placement, TotalSteps = requested.TotalSteps, RunDir = requested.RunDir, Resume = true }, algorithm);
    }
}
