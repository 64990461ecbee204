using System.CommandLine;
using System.Globalization;

namespace ZeroGym.Agents.Common;

/// <summary>
/// <c>play --run-dir DIR [--episodes N] [--video FILE.mp4] [--server ENDPOINT]</c>: runs a trained run's greedy
/// policy (its latest checkpoint) on the env it was trained on, episode i seeded with the run's seed + i.
/// </summary>
internal static class PlayCommand
{
    /// <summary>Frame rate of a video when the env does not say (its render_fps is 0).</summary>
    private const int FallbackFps = 30;

    public static Command Create(TextWriter output)
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run directory train wrote", Required = true };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to play", DefaultValueFactory = _ => 1 };
        var video = new Option<string?>("--video") { Description = "Write the rendered episodes to this mp4 (needs ffmpeg)" };
        var server = new Option<string?>("--server") { Description = "Address of a running env server; without it a local one is started and stopped" };
        var command = new Command("play", "Play a trained policy greedily, optionally recording a video") { runDir, episodes, video, server };
        var curve = new CurveCommandOptions();
        curve.AddTo(command);
        command.SetAction(parsed =>
        {
            Play(parsed.GetValue(runDir)!, parsed.GetValue(episodes), parsed.GetValue(video), parsed.GetValue(server), curve.Read(parsed), output);
            return 0;
        });
        return command;
    }

    private static void Play(string runDir, int episodes, string? videoPath, string? serverAddress, ClientOptions clientOptions, TextWriter output)
    {
        if (episodes < 1) throw new AgentException($"--episodes must be at least 1; got {episodes}");
        var options = RunConfig.Load(runDir).Common;
        var algorithm = Algorithms.Find(options.Algo);
        if (Checkpoints.Latest(runDir) is not { } checkpoint)
        {
            throw new AgentException($"{runDir} has no checkpoint to play yet (checkpoints/ is empty); train longer or pick another run");
        }

        var greedyAction = algorithm.LoadGreedy(runDir, options.Device);
        using var server = serverAddress is null ? LocalServer.Start(Path.Combine(runDir, Run.ServerLogFile)) : null;
        using var env = RemoteEnv.Make(options.EnvId, serverAddress ?? server!.Address, renderMode: videoPath is null ? null : "rgb_array", options: clientOptions);
        output.WriteLine($"play: {options.Algo} on {options.EnvId} from {checkpoint}");

        VideoWriter? video = null;
        try
        {
            Action<Protocol.Arrays.NDArray>? onFrame = videoPath is null ? null : frame =>
            {
                video ??= new VideoWriter(videoPath, frame.Shape[1], frame.Shape[0], env.RenderFps > 0 ? env.RenderFps : FallbackFps);
                video.Write(frame);
            };
            var returns = new List<double>();
            for (int i = 0; i < episodes; i++)
            {
                var result = Evaluation.PlayEpisode(env, greedyAction, options.Seed + i, onFrame);
                returns.Add(result.Return);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"episode {i + 1,3}: return {result.Return,8:0.##}, length {result.Length,5}"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean return over {returns.Count} episodes: {returns.Average():0.##}"));
        }
        finally
        {
            video?.Dispose();
        }

        if (video is not null) output.WriteLine($"play: wrote {video.FrameCount} frames to {videoPath}");
    }
}
