using ZeroGym.Arrays;
using ZeroGym.Envs.Registration;
using ZeroGym.EnvServer;
using ZeroGym.Spaces;

namespace ZeroGym.Bench;

/// <summary>
/// The built-in classic-control envs stepped in-process as the server steps them (time limit included), with random
/// actions drawn ahead of time and a reset whenever an episode ends: the counterpart of Gymnasium's one env in-process
/// in scripts/bench-anchors (tests/bench/bench_anchors.py's classic-control rows).
/// </summary>
internal static class ClassicControlBenchmarks
{
    /// <summary>The envs compared with Gymnasium's, and the name stem of their rows.</summary>
    public static readonly string[] EnvIds = ["Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "CartPole-v1", "Pendulum-v1"];

    public static void InProcess(double seconds)
    {
        var registry = BuiltInEnvs.CreateRegistry();
        foreach (var envId in EnvIds) Measure.Print(Step(registry.Get(envId), seconds));
    }

    private static Dictionary<string, object> Step(EnvSpec spec, double seconds)
    {
        using var env = spec.Make();
        env.Reset(seed: 0);
        var random = new Random(0);
        var actions = Enumerable.Range(0, 4096).Select(_ => RandomAction(env.ActionSpace, random)).ToArray();
        long steps = 0;
        return Measure.Throughput($"zerogym {spec.Id} one env in-process (C#)", seconds, () =>
        {
            var step = env.Step(actions[steps++ & 4095]);
            if (step.Terminated || step.Truncated) env.Reset();
        });
    }

    private static object RandomAction(Space space, Random random) => space switch
    {
        Discrete discrete => (long)random.Next((int)discrete.N),
        Box box => NDArray.From(box.Low.ToArray<float>().Zip(box.High.ToArray<float>(), (low, high) => low + (float)random.NextDouble() * (high - low)).ToArray()),
        _ => throw new ArgumentException($"expected a Discrete or Box action space; got {space}"),
    };
}
