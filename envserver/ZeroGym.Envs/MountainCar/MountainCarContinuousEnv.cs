using System.Buffers.Binary;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;
using static ZeroGym.Envs.MountainCar.MountainCarTrack;

namespace ZeroGym.Envs.MountainCar;

/// <summary>
/// MountainCarContinuous-v0, step for step the same as Gymnasium's
/// <c>gymnasium.envs.classic_control.Continuous_MountainCarEnv</c> under numpy 2's promotion rules.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The mountain car of Andrew Moore's PhD thesis (1990) with a continuous throttle: the car
/// must rock back and forth in a sinusoidal valley to reach the flag on the right hill, and pays for the force it
/// uses. Gymnasium keeps this env's state in float32 between steps and mixes float32 and float64 within a step; as
/// numpy 2 does (NEP 50), a float32 meeting a Python float stays float32, so those steps are float32 here too (under
/// numpy 1, Gymnasium computes them in float64 and the state differs in the last float32 bit now and then).</para>
/// <para><b>Action Space.</b> <c>Box(-1.0, 1.0, (1,), float32)</c>: the force on the car, multiplied by a power of
/// 0.0015.</para>
/// <para><b>Observation Space.</b> <c>Box((2,), float32)</c>, the state:</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation: min .. max</description></listheader>
///   <item><term>0</term><description>Position of the car along the x-axis (m): -1.2 .. 0.6</description></item>
///   <item><term>1</term><description>Velocity of the car: -0.07 .. 0.07</description></item>
/// </list>
/// <para><b>Transition Dynamics.</b> velocity += force · 0.0015 - 0.0025 · cos(3 · position), limited to ±0.07; then
/// position += velocity, limited to [-1.2, 0.6]; a car that reaches -1.2 moving left stops.</para>
/// <para><b>Rewards.</b> -0.1 · action² every step, plus 100 for the step that reaches the flag. The reward threshold is
/// 90.</para>
/// <para><b>Starting State.</b> Position uniform in [-0.6, -0.4), drawn with the env's generator (numpy's
/// <c>default_rng</c>, so a seed gives Gymnasium's start); velocity 0. Reset options <c>low</c> and <c>high</c> change
/// the bounds of the position.</para>
/// <para><b>Episode End.</b> Termination when the position reaches 0.45 (the flag) with a velocity of at least
/// <c>goal_velocity</c>; truncation by the time limit after 999 steps.</para>
/// <para><b>Arguments.</b> <c>goal_velocity</c> (float, default 0): the least velocity that counts at the flag.
/// <c>render_mode</c>: null or "rgb_array" (600×400 frames as Gymnasium draws them).</para>
/// <para><b>Version History.</b> v0: the first release.</para>
/// </remarks>
public sealed class MountainCarContinuousEnv : Env
{
    /// <summary>The kwarg that sets the least velocity that counts at the flag.</summary>
    public const string GoalVelocityKwarg = "goal_velocity";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (400, 600, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    private const string Id = "MountainCarContinuous-v0";
    private const double Power = 0.0015;
    internal const double GoalPosition = 0.45; // 0.5 in MountainCar-v0; 0.45 in Arnaud de Broissia's version

    private static readonly int[] ObservationShape = [2];

    private static readonly Box ActionBox = new(-1.0, 1.0, [1], DType.Float32);

    /// <summary>MountainCarContinuous-v0 as Gymnasium registers it: 999-step time limit, reward threshold 90.</summary>
    public static readonly EnvSpec Spec = new(
        Id: Id,
        Create: (kwargs, renderMode) => new MountainCarContinuousEnv(kwargs.GetDouble(GoalVelocityKwarg), renderMode),
        Kwargs: new Dictionary<string, object?> { [GoalVelocityKwarg] = 0.0 },
        MaxEpisodeSteps: 999,
        RewardThreshold: 90.0,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 30,
        Description:
            "Drive an underpowered car out of a valley to the flag on the right hill with a continuous throttle " +
            "(Moore, 1990). Observation: position and velocity (float32). Action: the force in [-1, 1] (float32). " +
            "Reward -0.1 force² per step and +100 at the flag, for at most 999 steps.");

    private readonly double goalVelocity;

    // The state as Gymnasium holds it: a float64 array after a reset, a float32 array after a step.
    private double position, velocity;
    private bool stateIsFloat32;
    private bool hasState;

    /// <summary>A continuous Mountain Car without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 999 steps).</summary>
    /// <param name="goalVelocity">The least velocity that counts at the flag.</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public MountainCarContinuousEnv(double goalVelocity = 0.0, string? renderMode = null)
    {
        if (renderMode is not (null or RgbArrayRenderMode))
        {
            throw new ArgumentException($"{Id} has render modes [{RgbArrayRenderMode}]; got render_mode '{renderMode}'", nameof(renderMode));
        }

        this.goalVelocity = goalVelocity;
        RenderMode = renderMode;
    }

    /// <summary>Box([-1.2, -0.07], [0.6, 0.07], float32): position and velocity.</summary>
    public override Space ObservationSpace => MountainCarTrack.ObservationSpace;

    /// <summary>Box(-1, 1, (1,), float32): the force.</summary>
    public override Space ActionSpace => ActionBox;

    /// <summary>The state, as Gymnasium's <c>env.unwrapped.state</c> (float32 values after a step).</summary>
    internal (double Position, double Velocity) State => (position, velocity);

    /// <inheritdoc />
    /// <remarks>Options: <c>low</c> and <c>high</c> (numbers, default -0.6 and -0.4): the bounds of the start position.</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var bounds = ResetBounds.Parse(Id, options, DefaultLow, DefaultHigh);
        base.Reset(seed, options);
        position = Random.Uniform(bounds.Low, bounds.High);
        velocity = 0;
        stateIsFloat32 = false;
        hasState = true;
        return new ResetResult(Observe(), Info.Empty);
    }

    /// <summary>Advances the car by one step with the force of the action (a float32 array of one element in [-1, 1]).</summary>
    /// <remarks>
    /// Each value carries the type Gymnasium's would have under numpy 2 (a float32 from the state, or a Python float
    /// once a limit replaced it), and each operation and comparison happens in that type, as numpy does it.
    /// </remarks>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException($"{Id}: Step called before Reset");
        float force = ((NDArray)action).AsSpan<float>()[0];

        // force * power and the float32 result minus a Python float stay float32; 3 * a float32 position too.
        float push = force * (float)Power;
        double positionTimesThree = stateIsFloat32 ? 3f * (float)position : 3 * position;
        float acceleration = push - (float)(0.0025 * Math.Cos(positionTimesThree));

        // After a reset the state holds float64 values, so the first step adds in float64.
        var v = stateIsFloat32 ? new Value((float)velocity + acceleration, true) : new Value(velocity + acceleration, false);
        if (v.GreaterThan(MaxSpeed)) v = new(MaxSpeed, false);
        if (v.LessThan(-MaxSpeed)) v = new(-MaxSpeed, false);

        var p = stateIsFloat32 ? new Value((float)position + (float)v.Number, true) : new Value(position + v.Number, false);
        if (p.GreaterThan(MaxPosition)) p = new(MaxPosition, false);
        if (p.LessThan(MinPosition)) p = new(MinPosition, false);
        if (p.EqualTo(MinPosition) && v.LessThan(0)) v = new(0, false);

        bool terminated = p.AtLeast(GoalPosition) && v.AtLeast(goalVelocity);

        // Gymnasium pays 0 (or 100) minus math.pow(action[0], 2) * 0.1, with the unclipped action.
        double reward = (terminated ? 100.0 : 0.0) - Math.Pow(force, 2) * 0.1;

        position = (float)p.Number;
        velocity = (float)v.Number;
        stateIsFloat32 = true;
        return new StepResult(Observe(), reward, terminated, false, Info.Empty);
    }

    /// <summary>The current frame, uint8 (400, 600, 3), drawn as Gymnasium's Mountain Car draws it.</summary>
    public override NDArray Render()
    {
        if (RenderMode != RgbArrayRenderMode) throw new InvalidOperationException($"{Id} was made without render_mode 'rgb_array'");
        if (!hasState) throw new InvalidOperationException($"{Id} has nothing to render before the first Reset");
        return MountainCarRenderer.Draw(position, GoalPosition);
    }

    private NDArray Observe()
    {
        var data = new byte[2 * sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), (float)position);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), (float)velocity);
        return new NDArray(DType.Float32, ObservationShape, data);
    }

    /// <summary>
    /// A number with the numpy type it has in Gymnasium's step: float32, or float64 (a float64 scalar or a Python float).
    /// Under numpy 2 a float32 compared with a Python constant compares in float32, the constant rounded first.
    /// </summary>
    private readonly record struct Value(double Number, bool IsFloat32)
    {
        public bool GreaterThan(double constant) => IsFloat32 ? (float)Number > (float)constant : Number > constant;

        public bool LessThan(double constant) => IsFloat32 ? (float)Number < (float)constant : Number < constant;

        public bool EqualTo(double constant) => IsFloat32 ? (float)Number == (float)constant : Number == constant;

        public bool AtLeast(double constant) => IsFloat32 ? (float)Number >= (float)constant : Number >= constant;
    }
}
