using System.Buffers.Binary;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;

namespace ZeroGym.Envs.Acrobot;

/// <summary>
/// Acrobot-v1, step for step the same as Gymnasium's <c>gymnasium.envs.classic_control.AcrobotEnv</c>.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The acrobot of Sutton, "Generalization in Reinforcement Learning: Successful Examples Using
/// Sparse Coarse Coding" (1996), and of Sutton and Barto's book: two links of 1 m and 1 kg hang in a chain from a fixed
/// pivot, and only the joint between them is actuated. The agent swings the free end of the chain above a line one link
/// length above the pivot. The equations of motion are the book's (Gymnasium's <c>book_or_nips = "book"</c>), integrated
/// over 0.2 s per step with one classic fourth-order Runge-Kutta step on a float64 state; the angles are then wrapped
/// into [-pi, pi] and the angular velocities clipped.</para>
/// <para><b>Action Space.</b> <c>Discrete(3)</c>: the torque on the actuated joint, 0 → -1 N m, 1 → 0, 2 → +1 N m.</para>
/// <para><b>Observation Space.</b> <c>Box((6,), float32)</c>, computed from the state and rounded to float32:</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation: min .. max</description></listheader>
///   <item><term>0</term><description>cos(theta1): -1 .. 1</description></item>
///   <item><term>1</term><description>sin(theta1): -1 .. 1</description></item>
///   <item><term>2</term><description>cos(theta2): -1 .. 1</description></item>
///   <item><term>3</term><description>sin(theta2): -1 .. 1</description></item>
///   <item><term>4</term><description>Angular velocity of theta1 (rad/s): about -12.567 (-4 pi) .. 12.567 (4 pi)</description></item>
///   <item><term>5</term><description>Angular velocity of theta2 (rad/s): about -28.274 (-9 pi) .. 28.274 (9 pi)</description></item>
/// </list>
/// <para>theta1 is the first link's angle from hanging straight down; theta2 is the second link's angle relative to the
/// first. [1, 0, 1, 0, 0, 0] is both links hanging down at rest.</para>
/// <para><b>Rewards.</b> -1 for every step that does not reach the target height, 0 for the one that does. The reward
/// threshold is -100.</para>
/// <para><b>Starting State.</b> theta1, theta2 and both angular velocities uniform in [-0.1, 0.1), drawn with the env's
/// generator (numpy's <c>default_rng</c>, so a seed gives Gymnasium's start) and rounded to float32 as Gymnasium stores
/// them. Reset options <c>low</c> and <c>high</c> change the bounds; starts outside the space give observations outside
/// it, as in Gymnasium.</para>
/// <para><b>Episode End.</b> Termination when the free end rises above the target, -cos(theta1) - cos(theta1 + theta2)
/// &gt; 1; truncation by the time limit after 500 steps.</para>
/// <para><b>Arguments.</b> <c>render_mode</c>: null or "rgb_array" (500×500 frames as Gymnasium draws them). Two
/// settings that Gymnasium keeps as attributes of the env are kwargs here: <c>book_or_nips</c> ("book", the default,
/// or "nips": the NIPS paper's equations, which lack a term) and <c>torque_noise_max</c> (default 0: with a positive
/// value, a uniform draw from [-max, max) of the env's generator is added to each torque).</para>
/// <para><b>Version History.</b> v1: time limit 500 steps instead of 200; the observation gives the sine and cosine of
/// each angle instead of the angles. v0 (not offered here): the first release.</para>
/// </remarks>
public sealed class AcrobotEnv : Env
{
    /// <summary>The kwarg that picks the equations of motion: "book" (default) or "nips".</summary>
    public const string BookOrNipsKwarg = "book_or_nips";

    /// <summary>The kwarg that sets the half-width of the uniform noise added to each torque (default 0: none).</summary>
    public const string TorqueNoiseMaxKwarg = "torque_noise_max";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (500, 500, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    private const string Id = "Acrobot-v1";
    private const string Book = "book", Nips = "nips";

    private const double Dt = 0.2; // seconds per step
    internal const double LinkLength1 = 1.0, LinkLength2 = 1.0; // m
    private const double LinkMass1 = 1.0, LinkMass2 = 1.0; // kg
    private const double LinkCenterOfMass1 = 0.5, LinkCenterOfMass2 = 0.5; // m from each link's joint
    private const double LinkMomentOfInertia = 1.0;
    private const double Gravity = 9.8;
    private const double MaxVelocity1 = 4 * Math.PI, MaxVelocity2 = 9 * Math.PI;

    private static readonly double[] AvailableTorques = [-1.0, 0.0, 1.0];

    private static readonly int[] ObservationShape = [6];

    private static readonly Box ObservationBox = CreateObservationSpace();

    private static readonly Discrete ActionDiscrete = new(3);

    /// <summary>Acrobot-v1 as Gymnasium registers it: 500-step time limit, reward threshold -100.</summary>
    public static readonly EnvSpec Spec = new(
        Id: Id,
        Create: (kwargs, renderMode) => new AcrobotEnv(kwargs.GetString(BookOrNipsKwarg)!, kwargs.GetDouble(TorqueNoiseMaxKwarg), renderMode),
        Kwargs: new Dictionary<string, object?> { [BookOrNipsKwarg] = Book, [TorqueNoiseMaxKwarg] = 0.0 },
        MaxEpisodeSteps: 500,
        RewardThreshold: -100.0,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 15,
        Description:
            "Swing the free end of a two-link chain, actuated only at the joint between the links, above a line one " +
            "link above the pivot (Sutton, 1996). Observation: cos and sin of both joint angles and their angular " +
            "velocities (float32). Actions: torque -1, 0 or +1 on the middle joint. Reward -1 per step until the end " +
            "is up, for at most 500 steps.");

    private readonly bool nips;
    private readonly double torqueNoiseMax;

    // theta1, theta2, dtheta1, dtheta2: float32 values right after a reset (Gymnasium stores the draw as float32),
    // float64 after a step.
    private readonly double[] state = new double[4];
    private bool stateIsFloat32;
    private bool hasState;

    /// <summary>An Acrobot without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 500 steps).</summary>
    /// <param name="bookOrNips">"book" (Gymnasium's default) or "nips": which equations of motion to integrate.</param>
    /// <param name="torqueNoiseMax">Half-width of the uniform noise added to each torque; 0 for none.</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public AcrobotEnv(string bookOrNips = Book, double torqueNoiseMax = 0.0, string? renderMode = null)
    {
        if (renderMode is not (null or RgbArrayRenderMode))
        {
            throw new ArgumentException($"{Id} has render modes [{RgbArrayRenderMode}]; got render_mode '{renderMode}'", nameof(renderMode));
        }

        if (bookOrNips is not (Book or Nips))
        {
            throw new ArgumentException($"{Id}: kwarg '{BookOrNipsKwarg}' must be '{Book}' or '{Nips}'; got '{bookOrNips}'", nameof(bookOrNips));
        }

        if (!(torqueNoiseMax >= 0) || !double.IsFinite(torqueNoiseMax))
        {
            throw new ArgumentException($"{Id}: kwarg '{TorqueNoiseMaxKwarg}' must be a finite number >= 0; got {torqueNoiseMax}", nameof(torqueNoiseMax));
        }

        nips = bookOrNips == Nips;
        this.torqueNoiseMax = torqueNoiseMax;
        RenderMode = renderMode;
    }

    /// <summary>Box((6,), float32) with bounds ±[1, 1, 1, 1, 4 pi, 9 pi].</summary>
    public override Space ObservationSpace => ObservationBox;

    /// <summary>Discrete(3): torque -1, 0 or +1.</summary>
    public override Space ActionSpace => ActionDiscrete;

    /// <summary>theta1, theta2, dtheta1, dtheta2 as Gymnasium's <c>env.unwrapped.state</c> (widened to float64 after a reset).</summary>
    internal IReadOnlyList<double> State => state;

    /// <inheritdoc />
    /// <remarks>Options: <c>low</c> and <c>high</c> (numbers, default -0.1 and 0.1).</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var bounds = ResetBounds.Parse(Id, options, -0.1, 0.1);
        base.Reset(seed, options);
        Span<double> drawn = stackalloc double[4];
        Random.Uniform(drawn, bounds.Low, bounds.High);
        for (int i = 0; i < 4; i++) state[i] = (float)drawn[i];
        stateIsFloat32 = true;
        hasState = true;
        return new ResetResult(Observe(), Info.Empty);
    }

    /// <summary>Advances the acrobot by 0.2 s with the torque the action (a <see cref="long"/>, 0, 1 or 2) chooses.</summary>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException($"{Id}: Step called before Reset");
        double torque = AvailableTorques[(long)action];
        if (torqueNoiseMax > 0) torque += Random.Uniform(-torqueNoiseMax, torqueNoiseMax);

        RungeKutta4(torque);
        state[0] = Wrap(state[0], -Math.PI, Math.PI);
        state[1] = Wrap(state[1], -Math.PI, Math.PI);
        state[2] = Bound(state[2], -MaxVelocity1, MaxVelocity1);
        state[3] = Bound(state[3], -MaxVelocity2, MaxVelocity2);
        stateIsFloat32 = false;

        bool terminated = -Math.Cos(state[0]) - Math.Cos(state[1] + state[0]) > 1.0;
        return new StepResult(Observe(), terminated ? 0.0 : -1.0, terminated, false, Info.Empty);
    }

    /// <summary>The current frame, uint8 (500, 500, 3), drawn as Gymnasium's Acrobot draws it.</summary>
    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException($"{Id} was made without render_mode 'rgb_array'");
        if (!hasState) throw new InvalidOperationException($"{Id} has nothing to render before the first Reset");
        return AcrobotRenderer.Draw(state[0], state[1]);
    }

    /// <summary>
    /// Gymnasium's <c>rk4(self._dsdt, s_augmented, [0, dt])</c>: one classic Runge-Kutta step of <see cref="Dt"/>. The
    /// torque rides along as a fifth state variable whose derivative is 0, so it stays the torque throughout.
    /// </summary>
    private void RungeKutta4(double torque)
    {
        const double halfDt = Dt / 2.0;
        Span<double> k1 = stackalloc double[4], k2 = stackalloc double[4], k3 = stackalloc double[4], k4 = stackalloc double[4];
        Span<double> probe = stackalloc double[4];
        Derivatives(state, torque, k1);
        for (int i = 0; i < 4; i++) probe[i] = state[i] + halfDt * k1[i];
        Derivatives(probe, torque, k2);
        for (int i = 0; i < 4; i++) probe[i] = state[i] + halfDt * k2[i];
        Derivatives(probe, torque, k3);
        for (int i = 0; i < 4; i++) probe[i] = state[i] + Dt * k3[i];
        Derivatives(probe, torque, k4);

        // numpy's y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4), element by element in the same order.
        const double sixthDt = Dt / 6.0;
        for (int i = 0; i < 4; i++) state[i] += sixthDt * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }

    /// <summary>
    /// Gymnasium's <c>_dsdt</c>: the derivatives of (theta1, theta2, dtheta1, dtheta2) under torque <paramref name="a"/>.
    /// Every expression keeps Gymnasium's operation order, and squares of state values are <c>Math.Pow(x, 2)</c> as numpy's
    /// <c>x**2</c> (the C library's pow, which is not always the rounded x * x), so every bit agrees.
    /// </summary>
    private void Derivatives(ReadOnlySpan<double> s, double a, Span<double> derivative)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkCenterOfMass1, lc2 = LinkCenterOfMass2;
        const double i1 = LinkMomentOfInertia, i2 = LinkMomentOfInertia, g = Gravity;
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
        double cosTheta2 = Math.Cos(theta2), sinTheta2 = Math.Sin(theta2);

        double d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cosTheta2) + i1 + i2;
        double d2 = m2 * (lc2 * lc2 + l1 * lc2 * cosTheta2) + i2;
        double phi2 = m2 * lc2 * g * Math.Cos(theta1 + theta2 - Math.PI / 2.0);
        double phi1 = -m2 * l1 * lc2 * Math.Pow(dtheta2, 2) * sinTheta2
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sinTheta2
            + (m1 * lc1 + m2 * l1) * g * Math.Cos(theta1 - Math.PI / 2)
            + phi2;
        double ddtheta2 = nips
            ? (a + d2 / d1 * phi1 - phi2) / (m2 * (lc2 * lc2) + i2 - Math.Pow(d2, 2) / d1)
            : (a + d2 / d1 * phi1 - m2 * l1 * lc2 * Math.Pow(dtheta1, 2) * sinTheta2 - phi2) / (m2 * (lc2 * lc2) + i2 - Math.Pow(d2, 2) / d1);
        double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;

        derivative[0] = dtheta1;
        derivative[1] = dtheta2;
        derivative[2] = ddtheta1;
        derivative[3] = ddtheta2;
    }

    /// <summary>Gymnasium's <c>wrap</c>: shifts <paramref name="x"/> by whole periods until it lies in [min, max].</summary>
    internal static double Wrap(double x, double min, double max)
    {
        double period = max - min;
        while (x > max) x -= period;
        while (x < min) x += period;
        return x;
    }

    /// <summary>Gymnasium's <c>bound</c>, <c>min(max(x, min), max)</c> with Python's min and max.</summary>
    internal static double Bound(double x, double min, double max)
    {
        double atLeast = min > x ? min : x;
        return max < atLeast ? max : atLeast;
    }

    private NDArray Observe()
    {
        var data = new byte[6 * sizeof(float)];
        var values = data.AsSpan();
        if (stateIsFloat32)
        {
            // numpy takes the cosine of a float32 in float32, with its own algorithm (see NumpyFloat32Trig).
            float theta1 = (float)state[0], theta2 = (float)state[1];
            BinaryPrimitives.WriteSingleLittleEndian(values[0..], NumpyFloat32Trig.Cos(theta1));
            BinaryPrimitives.WriteSingleLittleEndian(values[4..], NumpyFloat32Trig.Sin(theta1));
            BinaryPrimitives.WriteSingleLittleEndian(values[8..], NumpyFloat32Trig.Cos(theta2));
            BinaryPrimitives.WriteSingleLittleEndian(values[12..], NumpyFloat32Trig.Sin(theta2));
        }
        else
        {
            BinaryPrimitives.WriteSingleLittleEndian(values[0..], (float)Math.Cos(state[0]));
            BinaryPrimitives.WriteSingleLittleEndian(values[4..], (float)Math.Sin(state[0]));
            BinaryPrimitives.WriteSingleLittleEndian(values[8..], (float)Math.Cos(state[1]));
            BinaryPrimitives.WriteSingleLittleEndian(values[12..], (float)Math.Sin(state[1]));
        }

        BinaryPrimitives.WriteSingleLittleEndian(values[16..], (float)state[2]);
        BinaryPrimitives.WriteSingleLittleEndian(values[20..], (float)state[3]);
        return new NDArray(DType.Float32, ObservationShape, data);
    }

    private static Box CreateObservationSpace()
    {
        // Gymnasium writes the bounds into a float32 array; the casts below round them the same way.
        float[] high = [1f, 1f, 1f, 1f, (float)MaxVelocity1, (float)MaxVelocity2];
        return new Box(NDArray.From(high.Select(value => -value).ToArray()), NDArray.From(high));
    }
}
