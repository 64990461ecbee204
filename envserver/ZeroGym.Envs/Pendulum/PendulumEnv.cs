using System.Buffers.Binary;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Pendulum;

/// <summary>
/// Pendulum-v1, step for step the same as Gymnasium's <c>gymnasium.envs.classic_control.PendulumEnv</c>.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The inverted pendulum swing-up problem of classic control theory: a rigid rod of mass
/// 1 kg and length 1 m hangs from a fixed pivot, and a torque at the pivot must swing it up and hold it upright,
/// its centre of gravity above the pivot. The torque is too weak to lift the rod straight up from hanging, so the
/// pendulum has to build up speed by swinging. The angle theta is 0 upright and grows counter-clockwise; one step
/// integrates 0.05 s with a semi-implicit Euler step (the new angular velocity moves the angle) on a float64 state.</para>
/// <para><b>Action Space.</b> <c>Box(-2.0, 2.0, (1,), float32)</c>: the torque (N m, positive counter-clockwise).
/// Step clips it to [-2, 2].</para>
/// <para><b>Observation Space.</b> <c>Box((3,), float32)</c>, computed from the float64 state and rounded to
/// float32:</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation: min .. max</description></listheader>
///   <item><term>0</term><description>x = cos(theta): -1 .. 1</description></item>
///   <item><term>1</term><description>y = sin(theta): -1 .. 1</description></item>
///   <item><term>2</term><description>Angular velocity (rad/s): -8 .. 8</description></item>
/// </list>
/// <para><b>Rewards.</b> r = -(theta² + 0.1 theta_dot² + 0.001 torque²) with theta normalised to [-pi, pi) and the
/// state and torque before the step; so every reward lies in [-16.2736044, 0], 0 being upright, still, without
/// torque.</para>
/// <para><b>Starting State.</b> theta uniform in [-pi, pi) and theta_dot uniform in [-1, 1), drawn with the env's
/// generator (numpy's <c>default_rng</c>, so a seed gives Gymnasium's start). Reset options <c>x_init</c> and
/// <c>y_init</c> (numbers, default pi and 1) change the bounds to [-x_init, x_init) and [-y_init, y_init); starts
/// outside pi or 8 rad/s may give observations outside the space, as in Gymnasium.</para>
/// <para><b>Episode End.</b> The pendulum never terminates; the time limit truncates it after 200 steps.</para>
/// <para><b>Arguments.</b> <c>g</c> (float, default 10.0): gravity in m/s². <c>render_mode</c>: null or
/// "rgb_array" (500×500 frames: the rod, its pivot and its tip as Gymnasium draws them, without the torque
/// arrow image).</para>
/// <para><b>Version History.</b> v1: simpler equations with the same behaviour. v0 (not offered here): the first
/// release.</para>
/// </remarks>
public sealed class PendulumEnv : Env
{
    /// <summary>The kwarg that sets gravity (m/s²).</summary>
    public const string GravityKwarg = "g";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (500, 500, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    /// <summary>The reset options that set the half-widths of the uniform start of theta and theta_dot.</summary>
    public const string XInitOption = "x_init", YInitOption = "y_init";

    public const double DefaultGravity = 10.0;
    internal const double MaxSpeed = 8.0;
    internal const double MaxTorque = 2.0;
    private const double Dt = 0.05;
    private const double Mass = 1.0;
    internal const double Length = 1.0;

    private static readonly int[] ObservationShape = [3];

    private static readonly Box ObservationBox = new(
        NDArray.From([-1f, -1f, -(float)MaxSpeed]), NDArray.From([1f, 1f, (float)MaxSpeed]));

    private static readonly Box ActionBox = new(-MaxTorque, MaxTorque, [1], DType.Float32);

    /// <summary>Pendulum-v1 as Gymnasium registers it: 200-step time limit, no reward threshold.</summary>
    public static readonly EnvSpec Spec = new(
        Id: "Pendulum-v1",
        Create: (kwargs, renderMode) => new PendulumEnv(kwargs.GetDouble(GravityKwarg), renderMode),
        Kwargs: new Dictionary<string, object?> { [GravityKwarg] = DefaultGravity },
        MaxEpisodeSteps: 200,
        RewardThreshold: null,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 30,
        Description:
            "Swing a pendulum up and hold it upright with a limited torque at its pivot. " +
            "Observation: cos and sin of the angle and the angular velocity (float32). Action: the torque in " +
            "[-2, 2] (float32). Reward -(angle² + 0.1 velocity² + 0.001 torque²) per step, for 200 steps.");

    private readonly double gravity;
    private double theta, thetaDot;
    private float? lastTorque;
    private bool hasState;

    /// <summary>A Pendulum without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 200 steps).</summary>
    /// <param name="gravity">Acceleration of gravity, m/s².</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public PendulumEnv(double gravity = DefaultGravity, string? renderMode = null)
    {
        if (renderMode is not (null or RgbArrayRenderMode))
        {
            throw new ArgumentException($"Pendulum-v1 has render modes [{RgbArrayRenderMode}]; got render_mode '{renderMode}'", nameof(renderMode));
        }

        this.gravity = gravity;
        RenderMode = renderMode;
    }

    /// <summary>Box((3,), float32) with bounds ±[1, 1, 8].</summary>
    public override Space ObservationSpace => ObservationBox;

    /// <summary>Box(-2, 2, (1,), float32): the torque.</summary>
    public override Space ActionSpace => ActionBox;

    /// <summary>The float64 state the observations are computed from, as Gymnasium's <c>env.unwrapped.state</c>.</summary>
    internal (double Theta, double ThetaDot) State => (theta, thetaDot);

    /// <summary>The clipped torque of the last step, null after a reset (the renderer's <c>last_u</c>).</summary>
    internal float? LastTorque => lastTorque;

    /// <inheritdoc />
    /// <remarks>Options: <c>x_init</c> and <c>y_init</c> (finite numbers, default pi and 1).</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var (xInit, yInit) = ParseOptions(options);
        base.Reset(seed, options);
        // numpy's uniform(low=-high, high=high) with high = [x_init, y_init]: one draw per element, in order.
        theta = Random.Uniform(-xInit, xInit);
        thetaDot = Random.Uniform(-yInit, yInit);
        lastTorque = null;
        hasState = true;
        return new ResetResult(Observe(), Info.Empty);
    }

    /// <summary>Advances the pendulum by 0.05 s with the torque of the action (a float32 array of one element).</summary>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException("Pendulum-v1: Step called before Reset");
        float torque = Math.Clamp(((NDArray)action).AsSpan<float>()[0], (float)-MaxTorque, (float)MaxTorque);
        lastTorque = torque;

        // Gymnasium's operation order with numpy >= 2 (NEP 50): the torque is a float32 scalar, so a Python float
        // times the torque is a float32 product, which then meets the float64 terms. The rest is float64 throughout.
        float torqueCost = 0.001f * (torque * torque);
        float torqueAcceleration = (float)(3.0 / (Mass * Length * Length)) * torque;
        double angle = AngleNormalize(theta);
        double costs = angle * angle + 0.1 * (thetaDot * thetaDot) + torqueCost;
        double newThetaDot = thetaDot + (3 * gravity / (2 * Length) * Math.Sin(theta) + torqueAcceleration) * Dt;
        newThetaDot = Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed);
        theta += newThetaDot * Dt;
        thetaDot = newThetaDot;
        return new StepResult(Observe(), -costs, false, false, Info.Empty);
    }

    /// <summary>The current frame, uint8 (500, 500, 3), drawn as Gymnasium's Pendulum draws it (without the torque arrow).</summary>
    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException("Pendulum-v1 was made without render_mode 'rgb_array'");
        if (!hasState) throw new InvalidOperationException("Pendulum-v1 has nothing to render before the first Reset");
        return PendulumRenderer.Draw(theta);
    }

    /// <summary>((x + pi) mod 2 pi) - pi with Python's floored modulo (numpy's <c>np.mod</c>): a result in [-pi, pi).</summary>
    internal static double AngleNormalize(double angle)
    {
        const double period = 2 * Math.PI;
        double shifted = angle + Math.PI;
        double remainder = shifted % period; // C's fmod: the sign of the dividend
        if (remainder < 0) remainder += period;
        return remainder - Math.PI;
    }

    private NDArray Observe()
    {
        var data = new byte[3 * sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), (float)Math.Cos(theta));
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), (float)Math.Sin(theta));
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), (float)thetaDot);
        return new NDArray(DType.Float32, ObservationShape, data);
    }

    private static (double XInit, double YInit) ParseOptions(IReadOnlyDictionary<string, object?>? options)
    {
        double xInit = Math.PI, yInit = 1.0;
        if (options is null) return (xInit, yInit);
        foreach (var (key, value) in options)
        {
            if (key is not (XInitOption or YInitOption))
            {
                throw new ArgumentException($"Pendulum-v1 reset options are '{XInitOption}' and '{YInitOption}'; got unknown option '{key}'");
            }

            if (!ResetOptionValues.TryReadNumber(value, out double number) || !double.IsFinite(number))
            {
                throw new ArgumentException($"Pendulum-v1 reset option '{key}' must be a finite number; got {Space.Describe(value)}");
            }

            if (key == XInitOption) xInit = number;
            else yInit = number;
        }

        return (xInit, yInit);
    }
}
