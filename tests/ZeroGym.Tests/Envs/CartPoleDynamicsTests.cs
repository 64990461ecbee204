using ZeroGym.Envs.CartPole;
using static ZeroGym.Tests.Envs.CartPoleTestKit;

namespace ZeroGym.Tests.Envs;

/// <summary>
/// CartPole's physics against the published equations: Barto, Sutton &amp; Anderson (1983) with the sign correction of
/// R. V. Florian, "Correct equations for the dynamics of the cart-pole system" (2007), without friction, integrated by
/// explicit Euler steps of tau = 0.02 s as Gymnasium does.
/// </summary>
public class CartPoleDynamicsTests
{
    // The paper's parameters: g, cart mass, pole mass, half pole length, push force, time step.
    private const double G = 9.8, CartMass = 1.0, PoleMass = 0.1, HalfLength = 0.5, Push = 10.0, Tau = 0.02;

    // Gymnasium's termination thresholds, written as Gymnasium writes them.
    private const double XLimit = 2.4, ThetaLimit = 12 * 2 * Math.PI / 360;

    private const double HandTolerance = 1e-12;

    [Theory]
    [InlineData(0.1, -0.2, 0.05, 0.3, 1L)]
    [InlineData(-1.2, 0.7, -0.15, -1.1, 0L)]
    [InlineData(0.0, 0.0, 0.0, 0.0, 1L)]
    public void Step_FromExactState_FollowsFloriansEquations(double x, double xDot, double theta, double thetaDot, long action)
    {
        var env = new CartPoleEnv();
        StartAt(env, x, xDot, theta, thetaDot);

        env.Step(action);

        // Florian (2007), eq. 21 and 22 with both friction coefficients zero:
        //   thetaAcc = (g sin(theta) + cos(theta) (-F - m_p l thetaDot^2 sin(theta)) / (m_c + m_p))
        //              / (l (4/3 - m_p cos^2(theta) / (m_c + m_p)))
        //   xAcc     = (F + m_p l (thetaDot^2 sin(theta) - thetaAcc cos(theta))) / (m_c + m_p)
        double force = action == 1 ? Push : -Push;
        double totalMass = CartMass + PoleMass;
        double sin = Math.Sin(theta), cos = Math.Cos(theta);
        double thetaAcc = (G * sin + cos * (-force - PoleMass * HalfLength * thetaDot * thetaDot * sin) / totalMass)
            / (HalfLength * (4.0 / 3.0 - PoleMass * cos * cos / totalMass));
        double xAcc = (force + PoleMass * HalfLength * (thetaDot * thetaDot * sin - thetaAcc * cos)) / totalMass;
        double[] expected = [x + Tau * xDot, xDot + Tau * xAcc, theta + Tau * thetaDot, thetaDot + Tau * thetaAcc];

        var actual = StateOf(env);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], HandTolerance);
    }

    [Fact]
    public void Step_OverALongTrajectory_MatchesAnIndependentImplementationBitForBit()
    {
        var env = new CartPoleEnv();
        double[] reference = [0.02, -0.01, 0.03, 0.04];
        var observation = StartAt(env, reference[0], reference[1], reference[2], reference[3]).Observation;
        var noise = new Random(3);
        int steps = 0;
        for (; steps < 400; steps++)
        {
            // Mostly balancing, sometimes a random push, so the trajectory wanders through many states.
            long action = noise.NextDouble() < 0.25 ? noise.Next(2) : Balance(observation);
            var result = env.Step(action);
            bool referenceTerminated = ReferenceStep(reference, action);

            Assert.Equal(reference, StateOf(env));
            Assert.Equal(referenceTerminated, result.Terminated);
            observation = result.Observation;
            if (result.Terminated) break;
        }

        Assert.True(steps > 100, $"the trajectory should be long enough to mean something; it ended after {steps} steps");
    }

    [Fact]
    public void Observation_IsTheStateRoundedToFloat32()
    {
        var env = new CartPoleEnv();
        StartAt(env, 0.123456789012345, -1.987654321098765, 0.0999999999999, 2.5e-9);

        var observation = env.Step(1L).Observation;

        var state = StateOf(env);
        Assert.Equal(state.Select(value => (float)value).ToArray(), Floats(observation));
        Assert.Equal([4], ((ZeroGym.Arrays.NDArray)observation).Shape);
    }

    [Theory]
    [InlineData(XLimit, 0.0, false)]
    [InlineData(-XLimit, 0.0, false)]
    [InlineData(0.0, ThetaLimit, false)]
    [InlineData(0.0, -ThetaLimit, false)]
    [InlineData(2.4000000000000004, 0.0, true)] // the next double above 2.4
    [InlineData(-2.4000000000000004, 0.0, true)]
    [InlineData(0.0, 0.20943951023931956, true)] // the next double above 12 degrees
    [InlineData(0.0, -0.20943951023931956, true)]
    public void Step_AtTheThresholds_TerminatesOnlyOutsideThem(double x, double theta, bool expectedTerminated)
    {
        var env = new CartPoleEnv();

        // With both velocities zero, one Euler step leaves x and theta exactly where they are.
        StartAt(env, x, 0.0, theta, 0.0);
        var result = env.Step(0L);

        Assert.Equal(x, env.State.X);
        Assert.Equal(theta, env.State.Theta);
        Assert.Equal(expectedTerminated, result.Terminated);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void ThresholdCases_UseTheNeighbouringDoublesOutside()
    {
        Assert.Equal(2.4000000000000004, Math.BitIncrement(XLimit));
        Assert.Equal(0.20943951023931956, Math.BitIncrement(ThetaLimit));
    }

    [Fact]
    public void Step_ThatTerminates_PaysOneAndLaterStepsPayNothing()
    {
        var env = new CartPoleEnv();
        StartAt(env, 2.39, 1.0, 0.0, 0.0); // x moves to 2.41 on the first step

        var ending = env.Step(1L);
        var beyond = env.Step(1L);

        Assert.True(ending.Terminated);
        Assert.Equal(1.0, ending.Reward);
        Assert.True(beyond.Terminated);
        Assert.Equal(0.0, beyond.Reward);
    }

    [Fact]
    public void Step_WhileUpright_PaysOne()
    {
        var env = new CartPoleEnv();
        env.Reset(seed: 0);

        var result = env.Step(0L);

        Assert.False(result.Terminated);
        Assert.Equal(1.0, result.Reward);
        Assert.Empty(result.Info);
    }

    [Fact]
    public void Step_WithSuttonBartoReward_PaysZeroThenMinusOneAtTheEnd()
    {
        var env = new CartPoleEnv(suttonBartoReward: true);
        StartAt(env, 2.37, 1.0, 0.0, 0.0); // x: 2.39 after one step, 2.41 after two

        var upright = env.Step(1L);
        var ending = env.Step(1L);
        var beyond = env.Step(1L);

        Assert.Equal((false, 0.0), (upright.Terminated, upright.Reward));
        Assert.Equal((true, -1.0), (ending.Terminated, ending.Reward));
        Assert.Equal((true, -1.0), (beyond.Terminated, beyond.Reward));
    }

    [Fact]
    public void Reset_AfterTermination_PaysOneForTheNextTerminationAgain()
    {
        var env = new CartPoleEnv();
        StartAt(env, 2.39, 1.0, 0.0, 0.0);
        env.Step(1L);

        StartAt(env, 2.39, 1.0, 0.0, 0.0);
        var ending = env.Step(1L);

        Assert.Equal((true, 1.0), (ending.Terminated, ending.Reward));
    }

    [Fact]
    public void Step_BeforeReset_Throws()
    {
        var env = new CartPoleEnv();

        Assert.Throws<InvalidOperationException>(() => env.Step(1L));
    }

    /// <summary>
    /// Gymnasium's cartpole.py step, transcribed independently of the env under test (same operation order, so the
    /// float64 results agree bit for bit). Returns whether the new state is terminal.
    /// </summary>
    private static bool ReferenceStep(double[] s, long action)
    {
        double x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
        const double totalMass = PoleMass + CartMass, poleMassLength = PoleMass * HalfLength;
        double force = action == 1 ? Push : -Push;
        double cosTheta = Math.Cos(theta), sinTheta = Math.Sin(theta);
        double temp = (force + poleMassLength * (thetaDot * thetaDot) * sinTheta) / totalMass;
        double thetaAcc = (G * sinTheta - cosTheta * temp) / (HalfLength * (4.0 / 3.0 - PoleMass * (cosTheta * cosTheta) / totalMass));
        double xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass;
        s[0] = x + Tau * xDot;
        s[1] = xDot + Tau * xAcc;
        s[2] = theta + Tau * thetaDot;
        s[3] = thetaDot + Tau * thetaAcc;
        return s[0] < -XLimit || s[0] > XLimit || s[2] < -ThetaLimit || s[2] > ThetaLimit;
    }
}
