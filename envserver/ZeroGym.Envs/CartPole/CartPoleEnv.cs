using System.Buffers.Binary;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.CartPole;

/// <summary>
/// CartPole-v1, step for step the same as Gymnasium's <c>gymnasium.envs.classic_control.CartPoleEnv</c>.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The cart-pole problem of Barto, Sutton and Anderson, "Neuronlike adaptive elements
/// that can solve difficult learning control problems" (1983). A pole stands on a cart through an unactuated
/// hinge; the cart rolls without friction along a straight track. The agent keeps the pole upright by pushing
/// the cart left or right with a force of fixed size. The equations of motion are those of the paper with
/// Florian's correction ("Correct equations for the dynamics of the cart-pole system", 2007), integrated with
/// explicit Euler steps of 0.02 s on a float64 state.</para>
/// <para><b>Action Space.</b> <c>Discrete(2)</c>: 0 pushes the cart left, 1 pushes it right, both with 10 N.
/// How much the push changes the cart's velocity depends on the pole's angle.</para>
/// <para><b>Observation Space.</b> <c>Box((4,), float32)</c>, the float64 state rounded to float32:</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation: min .. max</description></listheader>
///   <item><term>0</term><description>Cart position (m): -4.8 .. 4.8</description></item>
///   <item><term>1</term><description>Cart velocity (m/s): -inf .. inf</description></item>
///   <item><term>2</term><description>Pole angle (rad, 0 = upright, positive = leaning right): about -0.419 (-24°) .. 0.419 (24°)</description></item>
///   <item><term>3</term><description>Pole angular velocity (rad/s): -inf .. inf</description></item>
/// </list>
/// <para>The bounds are twice the termination thresholds, so the observation that ends an episode is still
/// inside the space; an episode never continues outside ±2.4 m or ±12°.</para>
/// <para><b>Rewards.</b> +1 for every step, the terminating step included, so the return is the number of steps
/// survived (at most 500). With <c>sutton_barto_reward</c>: 0 for every step that does not terminate and -1 for
/// the terminating one.</para>
/// <para><b>Starting State.</b> Each of the four state variables is drawn uniformly from [-0.05, 0.05) with the
/// env's generator (numpy's <c>default_rng</c>, so a seed gives Gymnasium's start). Reset options <c>low</c> and
/// <c>high</c> change the bounds; option <c>state</c> (4 numbers: x, x_dot, theta, theta_dot) sets the start
/// exactly and draws nothing, which reproduces published trajectories.</para>
/// <para><b>Episode End.</b> Termination when the cart position leaves [-2.4, 2.4] (the cart's centre reaches
/// the edge of the display) or the pole angle leaves [-12°, 12°]; truncation by the time limit after 500 steps.</para>
/// <para><b>Arguments.</b> <c>sutton_barto_reward</c> (bool, default false): the original paper's rewards
/// (above). <c>render_mode</c>: null or "rgb_array" (600×400 frames as Gymnasium draws them).</para>
/// <para><b>Version History.</b> v1: time limit 500 steps, reward threshold 475; Gymnasium 1.0 added
/// <c>sutton_barto_reward</c>. v0 (not offered here): time limit 200 steps, reward threshold 195.</para>
/// </remarks>
public sealed class CartPoleEnv : Env
{
    /// <summary>The kwarg that switches to the original paper's rewards (0 per step, -1 at the end).</summary>
    public const string SuttonBartoRewardKwarg = "sutton_barto_reward";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (400, 600, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    // Physics of Barto, Sutton & Anderson (1983) in SI units, as Gymnasium sets them.
    private const double Gravity = 9.8;
    private const double MassCart = 1.0;
    private const double MassPole = 0.1;
    private const double TotalMass = MassPole + MassCart;
    internal const double HalfPoleLength = 0.5;
    private const double PoleMassLength = MassPole * HalfPoleLength;
    private const double ForceMagnitude = 10.0;
    private const double Tau = 0.02; // seconds between state updates

    // Termination thresholds, written exactly as Gymnasium computes them so the float64 values agree.
    internal const double XThreshold = 2.4;
    private const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    private static readonly int[] ObservationShape = [4];

    private static readonly Box ObservationBox = CreateObservationSpace();

    private static readonly Discrete ActionDiscrete = new(2);

    /// <summary>CartPole-v1 as Gymnasium registers it: 500-step time limit, reward threshold 475.</summary>
    public static readonly EnvSpec Spec = new(
        Id: "CartPole-v1",
        Create: (kwargs, renderMode) => new CartPoleEnv(kwargs.GetBool(SuttonBartoRewardKwarg), renderMode),
        Kwargs: new Dictionary<string, object?> { [SuttonBartoRewardKwarg] = false },
        MaxEpisodeSteps: 500,
        RewardThreshold: 475.0,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 50,
        Description:
            "Balance a pole on a cart by pushing the cart left or right (Barto, Sutton & Anderson, 1983). " +
            "Observation: cart position and velocity, pole angle and angular velocity (float32). " +
            "Actions: 0 push left, 1 push right. Reward +1 per step until the pole leans past 12 degrees or the " +
            "cart leaves the track (2.4 m), for at most 500 steps.");

    private readonly bool suttonBartoReward;

    private double x, xDot, theta, thetaDot;
    private bool hasState;

    // Gymnasium's steps_beyond_terminated is not None: a terminal state was already returned this episode.
    private bool terminatedBefore;

    /// <summary>A CartPole without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 500 steps).</summary>
    /// <param name="suttonBartoReward">Pay 0 per step and -1 at the end instead of +1 per step.</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public CartPoleEnv(bool suttonBartoReward = false, string? renderMode = null)
    {
        if (renderMode is not (null or RgbArrayRenderMode))
        {
            throw new ArgumentException($"CartPole-v1 has render modes [{RgbArrayRenderMode}]; got render_mode '{renderMode}'", nameof(renderMode));
        }

        this.suttonBartoReward = suttonBartoReward;
        RenderMode = renderMode;
    }

    /// <summary>Box((4,), float32) with bounds ±[4.8, inf, 0.41887903, inf].</summary>
    public override Space ObservationSpace => ObservationBox;

    /// <summary>Discrete(2): 0 pushes left, 1 pushes right.</summary>
    public override Space ActionSpace => ActionDiscrete;

    /// <summary>The float64 state the float32 observations round, as Gymnasium's <c>env.unwrapped.state</c>.</summary>
    internal (double X, double XDot, double Theta, double ThetaDot) State => (x, xDot, theta, thetaDot);

    /// <inheritdoc />
    /// <remarks>Options: <c>low</c>, <c>high</c> (numbers, default -0.05 and 0.05) or <c>state</c> (4 numbers).</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var start = CartPoleResetOptions.Parse(options);
        base.Reset(seed, options);
        if (start.State is double[] exact)
        {
            (x, xDot, theta, thetaDot) = (exact[0], exact[1], exact[2], exact[3]);
        }
        else
        {
            Span<double> drawn = stackalloc double[4];
            Random.Uniform(drawn, start.Low, start.High);
            (x, xDot, theta, thetaDot) = (drawn[0], drawn[1], drawn[2], drawn[3]);
        }

        hasState = true;
        terminatedBefore = false;
        return new ResetResult(Observe(), Info.Empty);
    }

    /// <summary>Advances the system by 0.02 s with the force the action (a <see cref="long"/>, 0 or 1) chooses.</summary>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException("CartPole-v1: Step called before Reset");
        double force = (long)action == 1 ? ForceMagnitude : -ForceMagnitude;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);

        // Florian (2007), eqs. 23-24 with frictionless joints; the operation order is Gymnasium's so every bit agrees.
        double temp = (force + PoleMassLength * (thetaDot * thetaDot) * sinTheta) / TotalMass;
        double thetaAcc = (Gravity * sinTheta - cosTheta * temp)
            / (HalfPoleLength * (4.0 / 3.0 - MassPole * (cosTheta * cosTheta) / TotalMass));
        double xAcc = temp - PoleMassLength * thetaAcc * cosTheta / TotalMass;

        // Explicit Euler: positions move with the old velocities.
        x += Tau * xDot;
        xDot += Tau * xAcc;
        theta += Tau * thetaDot;
        thetaDot += Tau * thetaAcc;

        bool terminated = x < -XThreshold || x > XThreshold || theta < -ThetaThresholdRadians || theta > ThetaThresholdRadians;
        double reward;
        if (!terminated)
        {
            reward = suttonBartoReward ? 0.0 : 1.0;
        }
        else if (!terminatedBefore)
        {
            terminatedBefore = true;
            reward = suttonBartoReward ? -1.0 : 1.0;
        }
        else
        {
            // Stepping past the end is undefined behaviour in Gymnasium; it pays nothing (or -1) from then on.
            reward = suttonBartoReward ? -1.0 : 0.0;
        }

        return new StepResult(Observe(), reward, terminated, false, Info.Empty);
    }

    /// <summary>The current frame, uint8 (400, 600, 3), drawn as Gymnasium's CartPole draws it.</summary>
    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException("CartPole-v1 was made without render_mode 'rgb_array'");
        if (!hasState) throw new InvalidOperationException("CartPole-v1 has nothing to render before the first Reset");
        return CartPoleRenderer.Draw(x, theta);
    }

    private NDArray Observe()
    {
        var data = new byte[4 * sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), (float)x);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), (float)xDot);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), (float)theta);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(12), (float)thetaDot);

        // The shape array is shared by every observation to keep Step at one allocation; arrays are immutable once built.
        return new NDArray(DType.Float32, ObservationShape, data);
    }

    private static Box CreateObservationSpace()
    {
        // Gymnasium builds high in float64 and casts it to float32; the casts below round the same way.
        float[] high = [(float)(XThreshold * 2), float.PositiveInfinity, (float)(ThetaThresholdRadians * 2), float.PositiveInfinity];
        float[] low = [-high[0], -high[1], -high[2], -high[3]];
        return new Box(NDArray.From(low), NDArray.From(high));
    }
}
