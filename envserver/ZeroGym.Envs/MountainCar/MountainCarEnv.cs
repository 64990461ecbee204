using System.Buffers.Binary;
using ZeroGym.Arrays;
using ZeroGym.Envs.Core;
using ZeroGym.Envs.Registration;
using ZeroGym.Spaces;
using static ZeroGym.Envs.MountainCar.MountainCarTrack;

namespace ZeroGym.Envs.MountainCar;

/// <summary>
/// MountainCar-v0, step for step the same as Gymnasium's <c>gymnasium.envs.classic_control.MountainCarEnv</c>.
/// </summary>
/// <remarks>
/// <para><b>Description.</b> The mountain car of Andrew Moore's PhD thesis, "Efficient Memory-based Learning for Robot
/// Control" (1990): a car stands at the bottom of a sinusoidal valley and must reach the flag on top of the right hill.
/// Its engine is too weak to drive straight up, so it has to rock back and forth to build up momentum. This is the
/// version with discrete actions; the state is float64.</para>
/// <para><b>Action Space.</b> <c>Discrete(3)</c>: 0 accelerates left, 1 does not accelerate, 2 accelerates right.</para>
/// <para><b>Observation Space.</b> <c>Box((2,), float32)</c>, the float64 state rounded to float32:</para>
/// <list type="table">
///   <listheader><term>Index</term><description>Observation: min .. max</description></listheader>
///   <item><term>0</term><description>Position of the car along the x-axis (m): -1.2 .. 0.6</description></item>
///   <item><term>1</term><description>Velocity of the car: -0.07 .. 0.07</description></item>
/// </list>
/// <para><b>Transition Dynamics.</b> velocity += (action - 1) · 0.001 - cos(3 · position) · 0.0025, clipped to
/// [-0.07, 0.07]; then position += velocity, clipped to [-1.2, 0.6]. The left wall is inelastic: a car that reaches
/// -1.2 moving left stops.</para>
/// <para><b>Rewards.</b> -1 for every step. The reward threshold is -110.</para>
/// <para><b>Starting State.</b> Position uniform in [-0.6, -0.4), drawn with the env's generator (numpy's
/// <c>default_rng</c>, so a seed gives Gymnasium's start); velocity 0. Reset options <c>low</c> and <c>high</c> change
/// the bounds of the position.</para>
/// <para><b>Episode End.</b> Termination when the position reaches 0.5 (the flag) with a velocity of at least
/// <c>goal_velocity</c>; truncation by the time limit after 200 steps.</para>
/// <para><b>Arguments.</b> <c>goal_velocity</c> (float, default 0): the least velocity that counts at the flag.
/// <c>render_mode</c>: null or "rgb_array" (600×400 frames as Gymnasium draws them).</para>
/// <para><b>Version History.</b> v0: the first release.</para>
/// </remarks>
public sealed class MountainCarEnv : Env
{
    /// <summary>The kwarg that sets the least velocity that counts at the flag.</summary>
    public const string GoalVelocityKwarg = "goal_velocity";

    /// <summary>The one render mode: <see cref="Render"/> returns uint8 (400, 600, 3) frames.</summary>
    public const string RgbArrayRenderMode = "rgb_array";

    private const string Id = "MountainCar-v0";
    private const double Force = 0.001;
    private const double Gravity = 0.0025;
    internal const double GoalPosition = 0.5;

    private static readonly int[] ObservationShape = [2];

    private static readonly Discrete ActionDiscrete = new(3);

    /// <summary>MountainCar-v0 as Gymnasium registers it: 200-step time limit, reward threshold -110.</summary>
    public static readonly EnvSpec Spec = new(
        Id: Id,
        Create: (kwargs, renderMode) => new MountainCarEnv(kwargs.GetDouble(GoalVelocityKwarg), renderMode),
        Kwargs: new Dictionary<string, object?> { [GoalVelocityKwarg] = 0.0 },
        MaxEpisodeSteps: 200,
        RewardThreshold: -110.0,
        RenderModes: [RgbArrayRenderMode],
        RenderFps: 30,
        Description:
            "Drive an underpowered car out of a valley to the flag on the right hill by rocking it back and forth " +
            "(Moore, 1990). Observation: position and velocity (float32). Actions: 0 accelerate left, 1 none, " +
            "2 accelerate right. Reward -1 per step until the flag, for at most 200 steps.");

    private readonly double goalVelocity;
    private double position, velocity;
    private bool hasState;

    /// <summary>A Mountain Car without time limit (<see cref="Spec"/>'s <c>Make</c> adds Gymnasium's 200 steps).</summary>
    /// <param name="goalVelocity">The least velocity that counts at the flag.</param>
    /// <param name="renderMode">Null, or "rgb_array" to make <see cref="Render"/> draw frames.</param>
    public MountainCarEnv(double goalVelocity = 0.0, string? renderMode = null)
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

    /// <summary>Discrete(3): accelerate left, none, right.</summary>
    public override Space ActionSpace => ActionDiscrete;

    /// <summary>The float64 state the observations round, as Gymnasium's <c>env.unwrapped.state</c>.</summary>
    internal (double Position, double Velocity) State => (position, velocity);

    /// <inheritdoc />
    /// <remarks>Options: <c>low</c> and <c>high</c> (numbers, default -0.6 and -0.4): the bounds of the start position.</remarks>
    public override ResetResult Reset(long? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        var bounds = ResetBounds.Parse(Id, options, DefaultLow, DefaultHigh);
        base.Reset(seed, options);
        position = Random.Uniform(bounds.Low, bounds.High);
        velocity = 0;
        hasState = true;
        return new ResetResult(Observe(), Info.Empty);
    }

    /// <summary>Advances the car by one step with the acceleration the action (a <see cref="long"/>, 0, 1 or 2) chooses.</summary>
    public override StepResult Step(object action)
    {
        if (!hasState) throw new InvalidOperationException($"{Id}: Step called before Reset");

        // Gymnasium's operation order, float64 throughout (math.cos and numpy's clip of float64 scalars).
        velocity += ((long)action - 1) * Force + Math.Cos(3 * position) * -Gravity;
        velocity = Math.Clamp(velocity, -MaxSpeed, MaxSpeed);
        position += velocity;
        position = Math.Clamp(position, MinPosition, MaxPosition);
        if (position == MinPosition && velocity < 0) velocity = 0;

        bool terminated = position >= GoalPosition && velocity >= goalVelocity;
        return new StepResult(Observe(), -1.0, terminated, false, Info.Empty);
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
}
