using System.CommandLine;

namespace ZeroGym.Agents.Common;

/// <summary>The agents' command line: <c>random</c>, <c>train</c> and <c>play</c>.</summary>
public static class AgentCommands
{
    /// <summary>
    /// Runs the command <paramref name="args"/> names and returns the exit code: 0 on success, 1 when the user must
    /// change something (printed as one line on <paramref name="error"/>), and parse errors as the parser reports them.
    /// </summary>
    public static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("ZeroGym agents: connect to a ZeroGym env server like any other client")
        {
            RandomCommand(output),
            TrainCommand.Create(output),
            PlayCommand.Create(output),
        };
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            // The commands stop their local server themselves on SIGINT/SIGTERM (see Run).
            ProcessTerminationTimeout = null,
        };
        try
        {
            return root.Parse(args).Invoke(configuration);
        }
        catch (Exception failure) when (failure is AgentException or ZeroGymException or TimeoutException or ZeroGym.Torch.TorchException)
        {
            error.WriteLine($"zerogym-agents: {failure.Message}");
            return 1;
        }
    }

    private static Command RandomCommand(TextWriter output)
    {
        var server = new Option<string>("--server") { Description = "Env server address", DefaultValueFactory = _ => ZeroGymClient.DefaultAddress };
        var env = new Option<string>("--env") { Description = "Env id", DefaultValueFactory = _ => "CartPole-v1" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to play", DefaultValueFactory = _ => 10 };
        var seed = new Option<long>("--seed") { Description = "Seed of the first reset and of the action sampler", DefaultValueFactory = _ => 0 };
        var random = new Command("random", "Play episodes with random actions") { server, env, episodes, seed };
        random.SetAction(parsed =>
        {
            RandomAgent.Run(new RandomAgent.Options(parsed.GetValue(server)!, parsed.GetValue(env)!, parsed.GetValue(episodes), parsed.GetValue(seed)), output);
            return 0;
        });
        return random;
    }
}
