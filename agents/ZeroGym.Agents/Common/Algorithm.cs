namespace ZeroGym.Agents.Common;

/// <summary>What the <c>train</c> and <c>play</c> commands need to know about one algorithm.</summary>
/// <param name="Name">The name on the command line: <c>scripts/train NAME</c>.</param>
/// <param name="Description">One line for the help.</param>
/// <param name="Defaults">The shared options' values when the command line leaves them out.</param>
/// <param name="DefaultOptions">The algorithm's own options with their benchmarked defaults (a JSON-serializable
/// record); saved in config.json, where <see cref="Run.AlgorithmOptions{T}"/> reads them back.</param>
/// <param name="Train">Trains in the run (a new one, or a resumed one when <see cref="Run.LatestCheckpoint"/> is set).</param>
/// <param name="LoadGreedy">Given a run directory and a device, loads the latest checkpoint and returns the greedy
/// policy: one env's observation → its action (a <see cref="long"/> for Discrete, a float[] for Box), as <see cref="Evaluation"/> and
/// <c>play</c> call it.</param>
public sealed record Algorithm(
    string Name,
    string Description,
    TrainDefaults Defaults,
    Func<object> DefaultOptions,
    Action<Run> Train,
    Func<string, string, Func<object, object>> LoadGreedy);

/// <summary>The shared options' defaults for one algorithm (its benchmarked settings).</summary>
/// <param name="EnvId">The env trained on when <c>--env</c> is left out; null makes <c>--env</c> required.</param>
/// <param name="EnvKwargs">Env kwargs every new run starts with (<c>--env-kwarg</c> adds to and overrides them), as
/// <c>NAME=VALUE</c> assignments.</param>
public sealed record TrainDefaults(
    int NumEnvs = 1, long TotalSteps = 500_000, long EvalEvery = 10_000, int EvalEpisodes = 10, string? EnvId = null, string[]? EnvKwargs = null);
