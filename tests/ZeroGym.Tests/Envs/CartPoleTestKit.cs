using ZeroGym.Arrays;
using ZeroGym.Envs.CartPole;
using ZeroGym.Envs.Core;

namespace ZeroGym.Tests.Envs;

/// <summary>Small helpers shared by the CartPole tests.</summary>
internal static class CartPoleTestKit
{
    public static IReadOnlyDictionary<string, object?> Options(params (string Key, object? Value)[] entries) =>
        entries.ToDictionary(entry => entry.Key, entry => entry.Value);

    /// <summary>Resets <paramref name="env"/> to exactly this state through the <c>state</c> reset option.</summary>
    /// <remarks>The result type is spelt in full: the client's ZeroGym.ResetResult would otherwise win.</remarks>
    public static ResetResult StartAt(Env env, double x, double xDot, double theta, double thetaDot) =>
        env.Reset(options: Options(("state", new object?[] { x, xDot, theta, thetaDot })));

    public static float[] Floats(object observation) => ((NDArray)observation).ToArray<float>();

    public static double[] StateOf(CartPoleEnv env)
    {
        var (x, xDot, theta, thetaDot) = env.State;
        return [x, xDot, theta, thetaDot];
    }

    /// <summary>Pushes towards the side the pole leans to (angle plus half the angular velocity): it keeps CartPole up for 500 steps.</summary>
    public static long Balance(object observation)
    {
        var values = Floats(observation);
        return values[2] + 0.5f * values[3] > 0 ? 1L : 0L;
    }
}
