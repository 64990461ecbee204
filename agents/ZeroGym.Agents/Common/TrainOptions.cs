using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// The options every algorithm shares, as the <c>train</c> command reads them; saved in config.json ("common") next
/// to the algorithm's own options.
/// </summary>
/// <param name="Algo">The algorithm's registered name (<c>dqn</c>, <c>a2c</c>, ...).</param>
/// <param name="EnvId">The env to train on, e.g. <c>CartPole-v1</c>.</param>
/// <param name="Server">Address of a running env server; null starts a local one for the run.</param>
/// <param name="NumEnvs">Envs stepped together (a vector env when more than one).</param>
/// <param name="TotalSteps">Env steps to train for, counted over every env.</param>
/// <param name="Seed">Seeds the envs, the networks and every random draw of the algorithm.</param>
/// <param name="RunDir">Where the run's config, logs, curve and checkpoints go.</param>
/// <param name="Device"><c>cpu</c> or <c>cuda</c>.</param>
/// <param name="Resume">Continue the run in <see cref="RunDir"/> from its latest checkpoint.</param>
/// <param name="EvalEvery">Env steps between greedy evaluations; 0 turns them off.</param>
/// <param name="EvalEpisodes">Episodes per greedy evaluation.</param>
/// <param name="EnvKwargs">The env's kwargs (<see cref="Common.EnvKwargs"/>); null or empty for its defaults.</param>
/// <param name="Placement">
/// <c>spread</c>, <c>pack</c> or <c>local</c>: the vector env's sub-envs are placed over the cluster <see cref="Server"/> is a
/// node of, and sub-envs lost with a node are made anew elsewhere (<see cref="NodeLossPolicy.Recreate"/>). Null: all on
/// <see cref="Server"/>, as always. Where the envs run is not the run's identity: like <see cref="Server"/> it may differ
/// on --resume, so config.json does not keep it.
/// </param>
public sealed record TrainOptions(
    string Algo, string EnvId, string? Server, int NumEnvs, long TotalSteps, long Seed,
    string RunDir, string Device, bool Resume, long EvalEvery, int EvalEpisodes, IReadOnlyDictionary<string, JsonElement>? EnvKwargs = null,
    [property: JsonIgnore] string? Placement = null)
{
    /// <summary>The values of --placement.</summary>
    public static IReadOnlyList<string> Placements { get; } = ["spread", "pack", "local"];

    /// <summary><see cref="Placement"/> as the client names it; null without one.</summary>
    [JsonIgnore]
    public NodePlacement? NodePlacement => Placement switch
    {
        null => null,
        "spread" => ZeroGym.NodePlacement.Spread,
        "pack" => ZeroGym.NodePlacement.Pack,
        "local" => ZeroGym.NodePlacement.Local,
        _ => throw new AgentException($"--placement must be one of {string.Join(", ", Placements)}; got '{Placement}'"),
    };

    /// <summary>The devices the algorithms can run on.</summary>
    public static IReadOnlyList<string> Devices { get; } = ["cpu", "cuda"];

    /// <summary>Throws an <see cref="AgentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        string? problem =
            string.IsNullOrWhiteSpace(EnvId) ? "--env must name an env, e.g. CartPole-v1" :
            NumEnvs < 1 ? $"--num-envs must be at least 1; got {NumEnvs}" :
            TotalSteps < 1 ? $"--total-steps must be at least 1; got {TotalSteps}" :
            string.IsNullOrWhiteSpace(RunDir) ? "--run-dir must name a directory" :
            !Devices.Contains(Device) ? $"--device must be one of {string.Join(", ", Devices)}; got '{Device}'" :
            EvalEvery < 0 ? $"--eval-every must be 0 (no evaluation) or more; got {EvalEvery}" :
            EvalEpisodes < 1 ? $"--eval-episodes must be at least 1; got {EvalEpisodes}" :
            Placement is not null && !Placements.Contains(Placement) ? $"--placement must be one of {string.Join(", ", Placements)}; got '{Placement}'" :
            Placement is not null && Server is null ? "--placement needs --server: a node of a cluster (scripts/serve --cluster redis://HOST:PORT) to place the envs" :
            null;
        if (problem is not null) throw new AgentException(problem);
    }

    /// <summary>The default run directory: <c>runs/ALGO-ENV-SEED-yyyyMMdd-HHmmss</c> under the current directory.</summary>
    public static string DefaultRunDirectory(string algo, string envId, long seed, DateTime startedAt)
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"{algo}-{envId}-{seed}-{startedAt:yyyyMMdd-HHmmss}");
        foreach (char invalid in Path.GetInvalidFileNameChars()) name = name.Replace(invalid, '_');
        return Path.Combine("runs", name);
    }
}
