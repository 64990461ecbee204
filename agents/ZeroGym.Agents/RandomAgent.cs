using System.Diagnostics;

namespace ZeroGym.Agents;

/// <summary>
/// Plays episodes with uniformly random actions through the C# client: the baseline every learning agent must
/// beat, and the smallest complete example of driving a remote env.
/// </summary>
public static class RandomAgent
{
    /// <param name="Server">Address of the env server.</param>
    /// <param name="EnvId">The env to play.</param>
    /// <param name="Episodes">How many episodes to play.</param>
    /// <param name="Seed">Seeds the first reset (episode i uses seed + i) and the action sampler.</param>
    public sealed record Options(string Server, string EnvId = "CartPole-v1", int Episodes = 10, long Seed = 0);

    /// <summary>Plays the episodes, printing one line each, and returns their returns.</summary>
    public static IReadOnlyList<double> Run(Options options, TextWriter output)
    {
        using var env = RemoteEnv.Make(options.EnvId, options.Server);
        var actions = new Random((int)options.Seed);
        var returns = new List<double>();
        output.WriteLine($"random agent on {env.Spec.Id} at {options.Server}: observations {env.ObservationSpace}, actions {env.ActionSpace}");
        for (int episode = 0; episode < options.Episodes; episode++)
        {
            var clock = Stopwatch.StartNew();
            env.Reset(seed: options.Seed + episode);
            double episodeReturn = 0;
            int length = 0;
            while (true)
            {
                var step = env.Step(env.ActionSpace.Sample(actions));
                episodeReturn += step.Reward;
                length++;
                if (step.Terminated || step.Truncated) break;
            }

            returns.Add(episodeReturn);
            output.WriteLine($"episode {episode + 1,3}: return {episodeReturn,6:0.#}, length {length,4}, {length / clock.Elapsed.TotalSeconds,8:0} steps/s");
        }

        output.WriteLine($"mean return over {returns.Count} episodes: {returns.Average():0.##} (solved at {env.Spec.RewardThreshold?.ToString() ?? "n/a"})");
        return returns;
    }
}
