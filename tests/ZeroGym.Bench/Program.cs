using System.CommandLine;
using ZeroGym;
using ZeroGym.Bench;

// Benchmarks behind scripts/bench; each prints JSON lines that tests/bench/report.py turns into a table.
var seconds = new Option<double>("--seconds") { Description = "Measuring time per benchmark", DefaultValueFactory = _ => 5 };
var server = new Option<string>("--server") { Description = "Env server address", Required = true };
var echo = new Option<string>("--echo") { Description = "Echo server address", Required = true };
var bind = new Option<string>("--bind") { Description = "Endpoint of the echo server", DefaultValueFactory = _ => "tcp://127.0.0.1:*" };
var replyBytes = new Option<int>("--reply-bytes") { Description = "Size of every echo reply", DefaultValueFactory = _ => 100 };
var numEnvs = new Option<int>("--num-envs") { Description = "Sub-envs of the vector benchmark", DefaultValueFactory = _ => 64 };
var asyncEnvs = new Option<int>("--async-envs") { Description = "Sub-envs of the asynchronous vector benchmark (0: skip it)", DefaultValueFactory = _ => 128 };
var batchSize = new Option<int>("--batch-size") { Description = "Batch size of the asynchronous vector benchmark", DefaultValueFactory = _ => 64 };

var echoServer = new Command("echo-server", "A bare ROUTER answering every request with a fixed payload") { bind, replyBytes };
echoServer.SetAction(parsed => Benchmarks.EchoServer(parsed.GetValue(bind)!, parsed.GetValue(replyBytes)));

var remote = new Command("remote", "Bare echo, one remote CartPole, and a remote vector env synchronous and asynchronous through the C# client")
{
    server, echo, seconds, numEnvs, asyncEnvs, batchSize,
};
remote.SetAction(parsed =>
{
    Benchmarks.Echo(parsed.GetValue(echo)!, parsed.GetValue(seconds));
    Benchmarks.RemoteStep(parsed.GetValue(server)!, parsed.GetValue(seconds));
    Benchmarks.RemoteVectors(parsed.GetValue(server)!, parsed.GetValue(seconds), parsed.GetValue(numEnvs), parsed.GetValue(asyncEnvs), parsed.GetValue(batchSize));
});

var local = new Command("in-process", "CartPole and the server's request handler without sockets") { seconds };
local.SetAction(parsed =>
{
    Benchmarks.InProcess(parsed.GetValue(seconds));
    Benchmarks.Handler(parsed.GetValue(seconds));
});

var classicControl = new Command("classic-control", "Acrobot, MountainCar, MountainCarContinuous, CartPole and Pendulum in-process, one env each") { seconds };
classicControl.SetAction(parsed => ClassicControlBenchmarks.InProcess(parsed.GetValue(seconds)));

var mujocoInProcess = new Command("mujoco-in-process", "HalfCheetah-v5: MuJoCo's raw C loop and the env in-process") { seconds };
mujocoInProcess.SetAction(parsed => MuJoCoBenchmarks.InProcess(parsed.GetValue(seconds)));

var mujocoRemote = new Command("mujoco-remote", "HalfCheetah-v5 through the C# client: one env, a vector env, and an asynchronous vector env")
{
    server, seconds, numEnvs, asyncEnvs, batchSize,
};
mujocoRemote.SetAction(parsed =>
{
    MuJoCoBenchmarks.Remote(parsed.GetValue(server)!, parsed.GetValue(seconds), parsed.GetValue(numEnvs));
    if (parsed.GetValue(asyncEnvs) > 0)
    {
        MuJoCoBenchmarks.RemoteAsync(parsed.GetValue(server)!, parsed.GetValue(seconds), parsed.GetValue(asyncEnvs), parsed.GetValue(batchSize));
    }
});

var placement = new Option<NodePlacement>("--placement") { Description = "Where the cluster places the sub-envs", DefaultValueFactory = _ => NodePlacement.Spread };
var placedBatch = new Option<int>("--batch-size") { Description = "Receive this many at a time (0: step every sub-env synchronously)", DefaultValueFactory = _ => 0 };
var besideLocal = new Option<bool>("--beside-local") { Description = "Also step as many sub-envs on the addressed node alone, in turns with the placed ones" };
var mujocoPlaced = new Command("mujoco-placed", "HalfCheetah-v5 through the C# client, a vector env placed over a cluster's nodes")
{
    server, seconds, numEnvs, placement, placedBatch, besideLocal,
};
mujocoPlaced.SetAction(parsed =>
{
    int envs = parsed.GetValue(numEnvs), batch = parsed.GetValue(placedBatch);
    MuJoCoBenchmarks.Placed(parsed.GetValue(server)!, parsed.GetValue(seconds), envs, parsed.GetValue(placement), batch is > 0 ? batch : envs, parsed.GetValue(besideLocal));
});

var dqnUpdate = new Command("dqn-update", "Time of one DQN gradient step with the default options") { seconds };
dqnUpdate.SetAction(parsed => Benchmarks.DqnUpdate(parsed.GetValue(seconds)));
var a2cUpdate = new Command("a2c-update", "Time of one A2C group's action draw and one A2C update with the default options") { seconds };
a2cUpdate.SetAction(parsed => Benchmarks.A2cUpdate(parsed.GetValue(seconds)));

var rom = new Option<string>("--rom") { Description = "An iNES ROM (scripts/bench assembles tests/roms/mario_like.s)", Required = true };
var nes = new Command("nes", "The Nestopia core's raw frame rate and NES-v0 stepped in-process") { rom, seconds };
nes.SetAction(parsed => NesBenchmarks.Run(parsed.GetValue(rom)!, parsed.GetValue(seconds)));
var nesRemote = new Command("nes-remote", "NES-v0 with the mario wrappers through the C# client: one env and a vector env") { server, rom, seconds, numEnvs };
nesRemote.SetAction(parsed => NesBenchmarks.Remote(parsed.GetValue(server)!, parsed.GetValue(rom)!, parsed.GetValue(seconds), parsed.GetValue(numEnvs)));
var td3Update = new Command("td3-update", "Time of one TD3 update with the default options on HalfCheetah's sizes") { seconds };
td3Update.SetAction(parsed => Benchmarks.ActorCriticUpdate(["td3"], parsed.GetValue(seconds)));
var sacUpdate = new Command("sac-update", "Time of one SAC update with the default options on HalfCheetah's sizes, taking turns with one TD3 update") { seconds };
sacUpdate.SetAction(parsed => Benchmarks.ActorCriticUpdate(["td3", "sac"], parsed.GetValue(seconds)));
var ddpgUpdate = new Command("ddpg-update", "Time of one DDPG update with the default options on HalfCheetah's sizes") { seconds };
ddpgUpdate.SetAction(parsed => Benchmarks.ActorCriticUpdate(["ddpg"], parsed.GetValue(seconds)));

var threads = new Option<int>("--threads") { Description = "libtorch threads (0: libtorch's default)", DefaultValueFactory = _ => 0 };
var continuous = new Option<bool>("--continuous") { Description = "ppo_continuous_action.py's settings on HalfCheetah's sizes instead of ppo.py's on CartPole's" };
var marioUpdate = new Command("ddqn-mario-update", "Time of one ddqn-mario gradient step and one greedy action with the default options") { seconds, threads };
marioUpdate.SetAction(parsed => Benchmarks.MarioDdqnUpdate(parsed.GetValue(seconds), parsed.GetValue(threads)));
var ppoUpdate = new Command("ppo-update", "Time of one whole PPO update (every epoch and minibatch) with the default options") { seconds, continuous, threads };
ppoUpdate.SetAction(parsed => Benchmarks.PpoUpdate(parsed.GetValue(seconds), parsed.GetValue(continuous), parsed.GetValue(threads)));

var codec = new Command("codec", "The wire codec alone: step request and reply, encode and decode, one CartPole and a vector env") { seconds, numEnvs };
codec.SetAction(parsed => CodecBenchmarks.Run(parsed.GetValue(seconds), parsed.GetValue(numEnvs)));

var sizes = new Command("step-sizes", "Prints the byte sizes of a CartPole step request and reply");
sizes.SetAction(_ => { var (request, reply) = Benchmarks.StepMessageSizes(); Console.WriteLine($"{request} {reply}"); });

return new RootCommand("ZeroGym benchmarks") { echoServer, remote, local, classicControl, codec, sizes, dqnUpdate, a2cUpdate, marioUpdate, td3Update, sacUpdate, ddpgUpdate, ppoUpdate, mujocoInProcess, mujocoRemote, mujocoPlaced, nes, nesRemote }.Parse(args).Invoke();
