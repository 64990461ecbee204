using System.CommandLine;
using ZeroGym;
using ZeroGym.Agents;

// Agents that connect to a ZeroGym env server like any other client.
var server = new Option<string>("--server") { Description = "Env server address", DefaultValueFactory = _ => ZeroGymClient.DefaultAddress };
var env = new Option<string>("--env") { Description = "Env id", DefaultValueFactory = _ => "CartPole-v1" };
var episodes = new Option<int>("--episodes") { Description = "Episodes to play", DefaultValueFactory = _ => 10 };
var seed = new Option<long>("--seed") { Description = "Seed of the first reset and of the action sampler", DefaultValueFactory = _ => 0 };

var random = new Command("random", "Play episodes with random actions") { server, env, episodes, seed };
random.SetAction(parsed =>
{
    RandomAgent.Run(new RandomAgent.Options(parsed.GetValue(server)!, parsed.GetValue(env)!, parsed.GetValue(episodes), parsed.GetValue(seed)), Console.Out);
    return 0;
});

var root = new RootCommand("ZeroGym agents") { random };
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception error) when (error is ZeroGymException or TimeoutException)
{
    Console.Error.WriteLine($"zerogym-agents: {error.Message}");
    return 1;
}
