using System.CommandLine;

namespace ZeroGym.Agents.Common;

/// <summary>
/// <c>train ALGO --env ENV_ID [--server ENDPOINT] [--num-envs N] [--total-steps N] [--seed S] [--run-dir DIR]
/// [--device cpu|cuda] [--resume] [--eval-every N] [--eval-episodes N] [--env-kwarg NAME=VALUE ...] [--set NAME=VALUE ...]
/// [--curve-server-key server.pub --curve-client-key client.key]</c>: trains a registered
/// algorithm. Options left out take the algorithm's defaults, or a resumed run's saved values.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output)
    {
        var algo = new Argument<string>("ALGO") { Description = "The algorithm: " + string.Join(", ", Algorithms.Names) };
        var env = new Option<string?>("--env") { Description = "The env to train on, e.g. CartPole-v1 (required unless --resume)" };
        var server = new Option<string?>("--server") { Description = "Address of a running env server; without it a local one is started and stopped" };
        var placement = new Option<string?>("--placement")
        {
            Description = "With --server a node of a cluster: spread, pack or local places the vector env's sub-envs over the cluster's nodes, " +
                "and sub-envs lost with a node are made anew on live ones (default: all on --server)",
        };
        var numEnvs = new Option<int?>("--num-envs") { Description = "Envs stepped together (default: the algorithm's)" };
        var totalSteps = new Option<long?>("--total-steps") { Description = "Env steps to train for (default: the algorithm's; may be raised on --resume)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the envs, the networks and every random draw (default: 1)" };
        var runDir = new Option<string?>("--run-dir") { Description = "Run directory (default: runs/ALGO-ENV-SEED-yyyyMMdd-HHmmss)" };
        var device = new Option<string?>("--device") { Description = "cpu or cuda (default: cpu)" };
        device.AcceptOnlyFromAmong([.. TrainOptions.Devices]);
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --run-dir from its latest checkpoint, with its saved options" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "Env steps between greedy evaluations; 0 for none (default: the algorithm's)" };
        var evalEpisodes = new Option<int?>("--eval-episodes") { Description = "Episodes per greedy evaluation (default: the algorithm's)" };
        var envKwarg = new Option<string[]>("--env-kwarg")
        {
            Description = "An env kwarg sent with every make, the value as JSON or a bare word, e.g. --env-kwarg wrappers=mario (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var set = new Option<string[]>("--set")
        {
            Description = "Set one of the algorithm's own options by its config.json name, e.g. --set learning_starts=1000 (repeatable; new runs only)",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command("train", "Train an algorithm on an env; writes config, logs, learning curve and checkpoints into a run directory")
        {
            algo, env, server, placement, numEnvs, totalSteps, seed, runDir, device, resume, evalEvery, evalEpisodes, envKwarg, set,
        };
        var curve = new CurveCommandOptions();
        curve.AddTo(command);
        command.SetAction(parsed =>
        {
            var algorithm = Algorithms.Find(parsed.GetValue(algo)!);
            var requested = new Requested(
                parsed.GetValue(env), parsed.GetValue(server), parsed.GetValue(numEnvs), parsed.GetValue(totalSteps), parsed.GetValue(seed),
                parsed.GetValue(runDir), parsed.GetValue(device), parsed.GetValue(evalEvery), parsed.GetValue(evalEpisodes),
                parsed.GetValue(envKwarg) ?? [], parsed.GetValue(placement));
            var options = parsed.GetValue(resume) ? ForResume(algorithm, requested) : ForNewRun(algorithm, requested);
            // A device this build cannot use is a mistake to report before any server starts or file is written.
            ZeroGym.Torch.Device.Parse(options.Device);
            string[] assignments = parsed.GetValue(set) ?? [];
            if (options.Resume && assignments.Length > 0)
            {
                throw new AgentException("--set cannot change a resumed run's options; it continues with those in its config.json");
            }

            using var run = Run.Start(options, RunConfig.WithAssignments(algorithm.DefaultOptions(), assignments), output, curve.Read(parsed));
            algorithm.Train(run);
            run.Finish();
            return 0;
        });
        return command;
    }

    /// <summary>The options as given on the command line; null where left out.</summary>
    private sealed record Requested(
        string? EnvId, string? Server, int? NumEnvs, long? TotalSteps, long? Seed, string? RunDir, string? Device, long? EvalEvery, int? EvalEpisodes,
        string[] EnvKwargs, string? Placement);

    private static TrainOptions ForNewRun(Algorithm algorithm, Requested requested)
    {
        var defaults = algorithm.Defaults;
        string envId = requested.EnvId ?? defaults.EnvId ?? throw new AgentException("--env is required: the env to train on, e.g. --env CartPole-v1");
        long seed = requested.Seed ?? 1;
        var kwargs = EnvKwargs.Parse(requested.EnvKwargs, EnvKwargs.Parse(defaults.EnvKwargs ?? []));
        return new TrainOptions(
            algorithm.Name, envId, requested.Server, requested.NumEnvs ?? defaults.NumEnvs, requested.TotalSteps ?? defaults.TotalSteps, seed,
            requested.RunDir ?? TrainOptions.DefaultRunDirectory(algorithm.Name, envId, seed, DateTime.Now),
            requested.Device ?? "cpu", Resume: false, requested.EvalEvery ?? defaults.EvalEvery, requested.EvalEpisodes ?? defaults.EvalEpisodes,
            kwargs.Count == 0 ? null : kwargs, requested.Placement);
    }

    /// <summary>The saved options with the ones given on the command line on top; <see cref="Run.Start"/> rejects any that differ.</summary>
    private static TrainOptions ForResume(Algorithm algorithm, Requested requested)
    {
        string runDir = requested.RunDir ?? throw new AgentException("--resume needs --run-dir: the directory of the run to continue");
        var saved = RunConfig.Load(runDir).Common;
        return new TrainOptions(
            algorithm.Name, requested.EnvId ?? saved.EnvId, requested.Server, requested.NumEnvs ?? saved.NumEnvs,
            requested.TotalSteps ?? saved.TotalSteps, requested.Seed ?? saved.Seed, runDir, requested.Device ?? saved.Device, Resume: true,
            requested.EvalEvery ?? saved.EvalEvery, requested.EvalEpisodes ?? saved.EvalEpisodes,
            requested.EnvKwargs.Length == 0 ? saved.EnvKwargs : EnvKwargs.Parse(requested.EnvKwargs, saved.EnvKwargs), requested.Placement);
    }
}
