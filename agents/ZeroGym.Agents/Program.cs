using ZeroGym.Agents;
using ZeroGym.Agents.Common;

// Agents that connect to a ZeroGym env server like any other client: random, train ALGO and play (AgentCommands).
// The learning algorithms register with Algorithms here, before the command line is read.
BuiltInAlgorithms.Register();
return AgentCommands.Invoke(args, Console.Out, Console.Error);
