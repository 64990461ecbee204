using System.CommandLine;
using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// <c>play --run-dir DIR [--episodes N] [--epsilon E] [--video FILE.mp4] [--server ENDPOINT]</c>: runs a trained run's
/// greedy policy (its latest checkpoint) on the env it was trained on, with the run's env kwargs, episode i seeded with
/// the run's seed + i. Each episode's line ends with the numbers of its last info (Mario's x_pos, HalfCheetah's
/// x_position); the summary gives their means.
/// </summary>
internal static class PlayCommand
{
    /// <summary>Frame rate of a video when the env does not say (its render_fps is 0).</summary>
    private const int FallbackFps = 30;

    public static Command Create(TextWriter output)
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run directory train wrote", Required = true };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to play", DefaultValueFactory = _ => 1 };
        var epsilon = new Option<double>("--epsilon")
        {
            Description = "Take a uniformly random action with this probability (0.05 is the usual evaluation of Atari agents; 1 plays randomly)",
            DefaultValueFactory = _ => 0,
        };
        var video = new Option<string?>("--video") { Description = "Write the rendered episodes to this mp4 (needs ffmpeg)" };
        var server = new Option<string?>("--server") { Description = "Address of a running env server; without it a local one is started and stopped" };
        var command = new Command("play", "Play a trained policy greedily, optionally recording a video") { runDir, episodes, epsilon, video, server };
        var curve = new CurveCommandOptions();
        curve.AddTo(command);
        command.SetAction(parsed =>
        {
            Play(parsed.GetValue(runDir)!, parsed.GetValue(episodes), parsed.GetValue(epsilon), parsed.GetValue(video), parsed.GetValue(server),
                curve.Read(parsed), output);
            return 0;
        });
        return command;
    }

    private static void Play(
        string runDir, int episodes, double epsilon, string? videoPath, string? serverAddress, ClientOptions clientOptions, TextWriter output)
    {
        if (episodes < 1) throw new AgentException($"--episodes must be at least 1; got {episodes}");
        if (epsilon is not (>= 0 and <= 1)) throw new AgentException($"--epsilon must be a probability in [0, 1]; got {epsilon}");
        var options = RunConfig.Load(runDir).Common;
        var algorithm = Algorithms.Find(options.Algo);
        if (Checkpoints.Latest(runDir) is not { } checkpoint)
        {
            throw new AgentException($"{runDir} has no checkpoint to play yet (checkpoints/ is empty); train longer or pick another run");
        }

        var greedyAction = algorithm.LoadGreedy(runDir, options.Device);
        using var server = serverAddress is null ? LocalServer.Start(Path.Combine(runDir, Run.ServerLogFile)) : null;
        using var env = RemoteEnv.Make(options.EnvId, serverAddress ?? server!.Address, EnvKwargs.ToWire(options.EnvKwargs), renderMode: videoPath is null ? null : "rgb_array", options: clientOptions);
        output.WriteLine($"play: {options.Algo} on {options.EnvId} from {checkpoint}{(epsilon > 0 ? $", random actions with probability {epsilon}" : "")}");
        var random = new Random(unchecked((int)options.Seed));
        Func<object, object> policy = epsilon == 0
            ? greedyAction
            : observation => random.NextDouble() < epsilon ? env.ActionSpace.Sample(random) : greedyAction(observation);

        VideoWriter? video = null;
        try
        {
            Action<ZeroGym.Arrays.NDArray>? onFrame = videoPath is null ? null : frame =>
            {
                video ??= new VideoWriter(videoPath, frame.Shape[1], frame.Shape[0], env.RenderFps > 0 ? env.RenderFps : FallbackFps);
                video.Write(frame);
            };
            var returns = new List<double>();
            var infos = new List<Dictionary<string, double>>();
            for (int i = 0; i < episodes; i++)
            {
                var result = Evaluation.PlayEpisode(env, policy, options.Seed + i, onFrame);
                returns.Add(result.Return);
                infos.Add(NumericInfo(result.FinalInfo));
                string numbers = string.Concat(infos[^1].Select(pair => Invariant($", {pair.Key} {pair.Value:0.##}")));
                output.WriteLine(Invariant($"episode {i + 1,3}: return {result.Return,8:0.##}, length {result.Length,5}{numbers}"));
            }

            // The info numbers every episode ended with, averaged like the return.
            string means = string.Concat(infos[0].Keys.Where(key => infos.All(info => info.ContainsKey(key)))
                .Select(key => Invariant($", {key} {infos.Average(info => info[key]):0.##}")));
            output.WriteLine(Invariant($"mean over {returns.Count} episodes: return {returns.Average():0.##}{means}"));
        }
        finally
        {
            video?.Dispose();
        }

        if (video is not null) output.WriteLine($"play: wrote {video.FrameCount} frames to {videoPath}");
    }

    /// <summary>The numbers and booleans (as 0/1) of an info map, in key order.</summary>
    private static Dictionary<string, double> NumericInfo(IReadOnlyDictionary<string, object?> info) =>
        info.Where(pair => pair.Value is long or int or double or float or bool)
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(pair => pair.Key, pair => pair.Value is bool flag ? (flag ? 1.0 : 0.0) : Convert.ToDouble(pair.Value, CultureInfo.InvariantCulture));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
